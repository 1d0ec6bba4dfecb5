package dev.tessera.http;

/** The label a session shows in the admin API: the app's {@code device_name}, else the User-Agent. */
final class DeviceLabel {
  private static final int MAX_LENGTH = 200;

  private DeviceLabel() {
  }

  static String of(String deviceName, String userAgent) {
    String label = deviceName != null && !deviceName.isEmpty() ? deviceName : userAgent;
    if (label == null) {
      return null;
    }
    String printable = label.replaceAll("\\p{Cntrl}", " ").strip();
    return printable.length() > MAX_LENGTH ? printable.substring(0, MAX_LENGTH) : printable;
  }
}
