package io.varshift.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordDecodersTest {
    private final RecordDecoders decoders = new RecordDecoders(new int[] {2}, DecodeLimits.DEFAULT);
    private final byte[] npy = NpyWriter.float32(new float[] {1, 2}, 2);
    private final byte[] json = "\n {\"shape\": [2], \"data\": [1, 2]}".getBytes(StandardCharsets.UTF_8);
    private final DecodeTarget target = new DecodeTarget();

    @ParameterizedTest
    @ValueSource(strings = {"application/x-npy", "Application/X-NPY", " application/x-npy ; v=1"})
    void npyContentTypePicksTheNpyDecoder(String header) {
        assertThat(decoders.forContentType(header, npy)).isSameAs(decoders.npy());
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/json; charset=utf-8"})
    void jsonContentTypePicksTheJsonDecoder(String header) {
        assertThat(decoders.forContentType(header, json)).isSameAs(decoders.json());
    }

    @Test
    void withoutContentTypeTheValueIsSniffed() {
        assertThat(decoders.forContentType(null, npy)).isSameAs(decoders.npy());
        assertThat(decoders.forContentType("", json)).isSameAs(decoders.json());
        assertThat(decoders.decode(null, json, target).samples()).isEqualTo(1);
        assertThat(target.toArray()).containsExactly(1, 2);
    }

    @Test
    void withoutContentTypeAValueThatIsNeitherIsBadMagic() {
        DecodeResult result = decoders.decode(null, "1,2".getBytes(StandardCharsets.UTF_8), target);
        assertThat(result.reason()).isEqualTo(RejectReason.BAD_MAGIC);
        assertThat(result.message()).contains("neither the NPY magic", "nor JSON");
    }

    @Test
    void declaredContentTypeWinsOverTheValue() {
        assertThat(decoders.decode(TrafficHeaders.JSON, npy, target).reason()).isEqualTo(RejectReason.BAD_JSON);
        assertThat(decoders.decode(TrafficHeaders.NPY, json, target).reason()).isEqualTo(RejectReason.BAD_MAGIC);
    }

    @Test
    void unsupportedContentTypeIsRejectedNamingIt() {
        DecodeResult result = decoders.decode("text/csv", npy, target);
        assertThat(result.reason()).isEqualTo(RejectReason.UNSUPPORTED_CONTENT_TYPE);
        assertThat(result.message()).contains("'text/csv'", "application/x-npy", "application/json");
    }

    @Test
    void everyReasonHasALowerSnakeCaseMetricName() {
        assertThat(Arrays.stream(RejectReason.values()).map(RejectReason::metricName))
                .allMatch(name -> name.matches("[a-z]+(_[a-z]+)*"))
                .contains("bad_magic", "shape_mismatch", "not_finite", "missing_model_header");
    }

    @Test
    void callersRejectForTheirOwnReasons() {
        DecodeResult result = DecodeResult.rejected(RejectReason.UNKNOWN_MODEL, "model 'x' is not served");
        assertThat(result.isOk()).isFalse();
        assertThat(result.shape()).isEmpty();
        assertThat(result).hasToString("rejected(unknown_model: model 'x' is not served)");
    }
}
