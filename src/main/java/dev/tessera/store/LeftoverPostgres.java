package dev.tessera.store;

import dev.tessera.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The embedded PostgreSQL that a killed Tessera (SIGKILL, OOM kill, power cut of the JVM only) left
 * running on the data directory. Its {@code postmaster.pid} names it; if nothing alive holds the
 * directory any more, it gets a fast shutdown (SIGINT: committed transactions are kept, nothing is
 * deleted) before the new server starts, because PostgreSQL refuses a second server on one directory.
 * A {@code postmaster.pid} whose process is gone is PostgreSQL's own business: it removes it on start.
 */
final class LeftoverPostgres {
  private static final Logger log = LoggerFactory.getLogger(LeftoverPostgres.class);
  /** A fast shutdown writes one checkpoint; with fsync on that takes seconds on a slow disk, not minutes. */
  private static final Duration STOP_BOUND = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(100);
  /** The lock file zonky's EmbeddedPostgres holds for as long as its JVM runs. */
  private static final String OWNER_LOCK = "epg-lock";

  private final Path pgData;
  private final Path pidFile;

  LeftoverPostgres(Path pgData) {
    this.pgData = pgData.toAbsolutePath().normalize();
    this.pidFile = this.pgData.resolve("postmaster.pid");
  }

  /** Stops a PostgreSQL still running on the directory from an earlier run; blocks, so start-up only. */
  void stopIfRunning() {
    Optional<Long> pid = recordedPid();
    if (pid.isEmpty()) {
      return;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      log.info("found {} naming process {}, which is gone: PostgreSQL recovers from the crash on start", pidFile, pid.get());
      return;
    }
    ProcessHandle postgres = process.get();
    if (!servesThisDirectory(postgres)) {
      throw new ConfigException("TESSERA_DATA_DIR", pgData + " is locked by process " + postgres.pid() + " ("
          + describe(postgres) + "), which is not its PostgreSQL; stop that process, or if it is unrelated remove " + pidFile);
    }
    if (ownerStillRunning()) {
      throw new ConfigException("TESSERA_DATA_DIR", pgData + " is in use by another running Tessera (its PostgreSQL is process "
          + postgres.pid() + "); give each node its own data directory");
    }
    long started = System.nanoTime();
    fastShutdown(postgres);
    log.info("found PostgreSQL (process {}) left running in {} by a previous Tessera; stopped it with a fast shutdown in {} ms",
        postgres.pid(), pgData, (System.nanoTime() - started) / 1_000_000);
  }

  private Optional<Long> recordedPid() {
    try {
      List<String> lines = Files.readAllLines(pidFile);
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      // Missing (the usual case) or half written: either way PostgreSQL itself decides on start.
      return Optional.empty();
    }
  }

  /** A postgres executable started with {@code -D} this directory, not some other process with a recycled id. */
  private boolean servesThisDirectory(ProcessHandle process) {
    ProcessHandle.Info info = process.info();
    boolean postgres = info.command().map(c -> Path.of(c).getFileName().toString().startsWith("postgres")).orElse(false);
    String[] args = info.arguments().orElse(new String[0]);
    for (int i = 0; i + 1 < args.length; i++) {
      if ("-D".equals(args[i]) && samePath(Path.of(args[i + 1]), pgData)) {
        return postgres;
      }
    }
    return false;
  }

  private static boolean samePath(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return a.toAbsolutePath().normalize().equals(b);
    }
  }

  /** zonky holds an exclusive lock on epg-lock while its JVM lives; a lock we can take means the owner died. */
  private boolean ownerStillRunning() {
    try (FileChannel channel = FileChannel.open(pgData.resolve(OWNER_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         FileLock lock = channel.tryLock()) {
      return lock == null;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGINT is PostgreSQL's fast shutdown: clients are disconnected, a checkpoint is written, nothing is lost. */
  private void fastShutdown(ProcessHandle postgres) {
    try {
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(postgres.pid())).redirectErrorStream(true).start();
      String output = new String(kill.getInputStream().readAllBytes()).trim();
      if (kill.waitFor() != 0) {
        throw new ConfigException("TESSERA_DATA_DIR", pgData + " is held by PostgreSQL process " + postgres.pid()
            + " (" + describe(postgres) + "), which Tessera cannot stop: " + output);
      }
      // pg_ctl's own test: the server is down once it has removed its pid file (or has died).
      long deadline = System.nanoTime() + STOP_BOUND.toNanos();
      while (Files.exists(pidFile) && postgres.isAlive()) {
        if (System.nanoTime() > deadline) {
          throw new ConfigException("TESSERA_DATA_DIR", pgData + " is held by PostgreSQL process " + postgres.pid()
              + ", which did not stop within " + STOP_BOUND.toSeconds() + " s of a fast shutdown request");
        }
        Thread.sleep(POLL.toMillis());
      }
    } catch (IOException e) {
      throw new ConfigException("TESSERA_DATA_DIR", pgData + " is held by PostgreSQL process " + postgres.pid()
          + ", which Tessera cannot stop: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("TESSERA_DATA_DIR", "interrupted while stopping PostgreSQL process " + postgres.pid());
    }
  }

  private static String describe(ProcessHandle process) {
    ProcessHandle.Info info = process.info();
    return info.commandLine().or(info::command).orElse("command unknown") + info.user().map(u -> ", user " + u).orElse("");
  }
}
