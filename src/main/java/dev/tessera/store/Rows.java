package dev.tessera.store;

import dev.tessera.domain.Scopes;
import io.vertx.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;

/** Column conversions shared by the stores. */
final class Rows {
  private Rows() {
  }

  static Instant instant(Row row, String column) {
    OffsetDateTime t = row.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }

  static OffsetDateTime timestamp(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, java.time.ZoneOffset.UTC);
  }

  static Scopes scopes(Row row, String column) {
    return Scopes.of(Arrays.asList(row.getArrayOfStrings(column)));
  }
}
