package io.varshift.core.codec;

import java.util.Locale;

/**
 * The decoders for one model input shape, and the choice between them by the record's
 * {@code content-type} header: {@code application/x-npy} or {@code application/json} (parameters such as
 * {@code ; charset=utf-8} ignored). Without the header the value is sniffed: NPY magic means NPY, a
 * leading '{' means JSON, anything else is rejected as BAD_MAGIC by the NPY decoder.
 */
public final class RecordDecoders {
    private final NpyDecoder npy;
    private final JsonDecoder json;

    public RecordDecoders(int[] sampleShape, DecodeLimits limits) {
        this.npy = new NpyDecoder(sampleShape, limits);
        this.json = new JsonDecoder(sampleShape, limits);
    }

    public NpyDecoder npy() {
        return npy;
    }

    public JsonDecoder json() {
        return json;
    }

    /**
     * The decoder for a record; never null. An unsupported content type yields a decoder that rejects
     * every value as {@link RejectReason#UNSUPPORTED_CONTENT_TYPE}.
     */
    public RecordDecoder forContentType(String contentTypeOrNull, byte[] value) {
        String type = mediaType(contentTypeOrNull);
        if (type.isEmpty()) {
            return startsLikeJson(value) ? json : npy;
        }
        if (type.equals(TrafficHeaders.NPY)) {
            return npy;
        }
        if (type.equals(TrafficHeaders.JSON)) {
            return json;
        }
        return new UnsupportedContentType(contentTypeOrNull);
    }

    /** Picks the decoder for the record and decodes it into the target. */
    public DecodeResult decode(String contentTypeOrNull, byte[] value, DecodeTarget target) {
        return forContentType(contentTypeOrNull, value).decode(value, target);
    }

    private static String mediaType(String header) {
        if (header == null) {
            return "";
        }
        int semicolon = header.indexOf(';');
        return (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static boolean startsLikeJson(byte[] value) {
        if (value == null || NpyDecoder.hasMagic(value)) {
            return false;
        }
        for (byte b : value) {
            if (b != ' ' && b != '\n' && b != '\t' && b != '\r') {
                return b == '{';
            }
        }
        return false;
    }

    private record UnsupportedContentType(String header) implements RecordDecoder {
        @Override
        public DecodeResult decode(byte[] value, DecodeTarget target) {
            target.setCount(0);
            return DecodeResult.rejected(RejectReason.UNSUPPORTED_CONTENT_TYPE, "content-type " + Text.quote(header)
                    + " is not supported; send " + TrafficHeaders.NPY + " or " + TrafficHeaders.JSON
                    + ", or omit the header");
        }

        @Override
        public String contentType() {
            return header;
        }
    }
}
