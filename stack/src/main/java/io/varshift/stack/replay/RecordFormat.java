package io.varshift.stack.replay;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import io.varshift.core.codec.NpyWriter;
import io.varshift.core.codec.TrafficHeaders;

/** How replay encodes a batch of samples as a record value, in core's traffic record format. */
public enum RecordFormat {
    /** numpy's {@code .npy}, little-endian float32; what serving apps in Python send with {@code np.save}. */
    NPY(TrafficHeaders.NPY) {
        @Override
        byte[] encode(float[] data, int[] shape) {
            return NpyWriter.float32(data, shape);
        }
    },
    /** {@code {"shape": [...], "data": [...]}} with flat row-major data; shortest float repr round-trips. */
    JSON(TrafficHeaders.JSON) {
        @Override
        byte[] encode(float[] data, int[] shape) {
            StringBuilder json = new StringBuilder(16 + data.length * 12).append("{\"shape\":[");
            for (int i = 0; i < shape.length; i++) {
                json.append(i == 0 ? "" : ",").append(shape[i]);
            }
            json.append("],\"data\":[");
            for (int i = 0; i < data.length; i++) {
                json.append(i == 0 ? "" : ",").append(data[i]);
            }
            return json.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
        }
    };

    private final String contentType;

    RecordFormat(String contentType) {
        this.contentType = contentType;
    }

    /** The record value for {@code data} of {@code shape}, row-major. */
    abstract byte[] encode(float[] data, int[] shape);

    /** The {@code content-type} header value. */
    String contentType() {
        return contentType;
    }

    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
