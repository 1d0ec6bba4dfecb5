package dev.tessera.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Real clustered nodes in this JVM: each its own clustered Vert.x (Hazelcast, TCP-IP join over
 * loopback), HTTP server and cache, all on one database.
 */
public final class TestCluster implements AutoCloseable {
  private final String dbUrl;
  private final Map<String, Object> overrides;
  private final BiFunction<Integer, String, Map<String, Object>> perNode;
  private final List<Integer> hazelcastPorts;
  private final List<TestNode> nodes = new ArrayList<>();

  private TestCluster(int size, Map<String, Object> overrides, BiFunction<Integer, String, Map<String, Object>> perNode) {
    this.dbUrl = TestDatabase.freshDatabaseUrl();
    this.overrides = overrides;
    this.perNode = perNode;
    this.hazelcastPorts = IntStream.range(0, size).mapToObj(i -> TestNode.freePort()).toList();
  }

  public static TestCluster start(int size, Map<String, Object> overrides) {
    return start(size, overrides, (index, db) -> Map.of());
  }

  /**
   * @param perNode further settings for node {@code index}, given the cluster's database URL (e.g. its own
   *                route to the database through a {@link CuttableLink})
   */
  public static TestCluster start(int size, Map<String, Object> overrides,
                                  BiFunction<Integer, String, Map<String, Object>> perNode) {
    TestCluster cluster = new TestCluster(size, overrides, perNode);
    try {
      for (int i = 0; i < size; i++) {
        cluster.nodes.add(cluster.startNode(i));
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private TestNode startNode(int index) {
    return startMember(hazelcastPorts.get(index), hazelcastPorts, perNode.apply(index, dbUrl));
  }

  /**
   * Starts a node that knows where the cluster is (its database and member addresses) but carries the
   * given overrides, e.g. another cluster secret or certificate. It is not one of {@link #nodes()}: the
   * caller closes it.
   */
  public TestNode startOutsider(Map<String, Object> keys) {
    int port = TestNode.freePort();
    List<Integer> members = new ArrayList<>(hazelcastPorts);
    members.add(port);
    return startMember(port, members, keys);
  }

  private TestNode startMember(int port, List<Integer> members, Map<String, Object> extra) {
    Map<String, Object> config = new HashMap<>(overrides);
    config.put("TESSERA_DB_URL", dbUrl);
    config.put("TESSERA_CLUSTER", true);
    config.put("TESSERA_CLUSTER_HOST", "127.0.0.1");
    config.put("TESSERA_CLUSTER_PORT", port);
    config.put("TESSERA_CLUSTER_MEMBERS", members.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    config.putAll(extra);
    return TestNode.start(config);
  }

  public TestNode node(int index) {
    return nodes.get(index);
  }

  public List<TestNode> nodes() {
    return nodes;
  }

  /** Stops node {@code index} (it leaves the cluster) and starts a fresh one in its place. */
  public TestNode restart(int index) {
    nodes.get(index).close();
    TestNode fresh = startNode(index);
    nodes.set(index, fresh);
    return fresh;
  }

  public void stop(int index) {
    nodes.get(index).close();
  }

  public TestNode startAgain(int index) {
    TestNode fresh = startNode(index);
    nodes.set(index, fresh);
    return fresh;
  }

  @Override
  public void close() {
    for (TestNode node : nodes) {
      try {
        node.close();
      } catch (RuntimeException e) {
        // already stopped by the test
      }
    }
  }
}
