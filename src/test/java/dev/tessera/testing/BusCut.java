package dev.tessera.testing;

import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Cuts a node off from (part of) the cluster's event bus in a way the test can undo: the returned flag
 * drops matching messages while set. The node stays a Hazelcast member and keeps its database.
 */
public final class BusCut {
  private BusCut() {
  }

  /** Drops the revocation broadcasts arriving at the node; it still sends (heartbeats, acknowledgements). */
  public static AtomicBoolean deafToRevocations(EventBus bus) {
    AtomicBoolean cut = new AtomicBoolean(true);
    bus.addInboundInterceptor(dropping(cut, "tessera.revocations"::equals));
    return cut;
  }

  /** Drops every Tessera message the node sends or receives. */
  public static AtomicBoolean all(EventBus bus) {
    AtomicBoolean cut = new AtomicBoolean(true);
    Handler<DeliveryContext<Object>> drop = dropping(cut, address -> address.startsWith("tessera."));
    bus.addInboundInterceptor(drop);
    bus.addOutboundInterceptor(drop);
    return cut;
  }

  private static Handler<DeliveryContext<Object>> dropping(AtomicBoolean cut, Predicate<String> address) {
    return delivery -> {
      if (cut.get() && address.test(delivery.message().address())) {
        return;
      }
      delivery.next();
    };
  }
}
