package io.varshift.core.codec;

/** Renders untrusted bytes for messages: printable ASCII only, escaped, bounded in length. */
final class Text {
    private static final int MAX_CHARS = 40;

    private Text() {
    }

    static String quote(byte[] bytes, int from, int to) {
        StringBuilder sb = new StringBuilder("'");
        int end = Math.min(to, from + MAX_CHARS);
        for (int i = from; i < end; i++) {
            int b = bytes[i] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '\\' && b != '\'') {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        return sb.append(to > end ? "'..." : "'").toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("'");
        int end = Math.min(s.length(), MAX_CHARS);
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f && c != '\\' && c != '\'' ? String.valueOf(c)
                    : String.format("\\u%04x", (int) c));
        }
        return sb.append(s.length() > end ? "'..." : "'").toString();
    }
}
