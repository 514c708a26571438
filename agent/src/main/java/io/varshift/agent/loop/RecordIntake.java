package io.varshift.agent.loop;

import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

import io.varshift.core.codec.DecodeResult;
import io.varshift.core.codec.DecodeTarget;
import io.varshift.core.codec.TrafficHeaders;
import io.varshift.core.codec.RejectReason;

/**
 * Intake and decoding: finds the lane a record is for (its model header) and decodes its value with
 * that model's decoders into one reused target. Never throws on a record.
 */
final class RecordIntake {

    private static final Logger LOG = Logger.getLogger(RecordIntake.class);

    private final Map<String, ModelLane> lanes;
    private final DecodeTarget target = new DecodeTarget();

    RecordIntake(Map<String, ModelLane> lanes) {
        this.lanes = lanes;
    }

    /** What became of one record: samples for a lane (in {@link #samples()}) or a rejection. */
    record Outcome(ModelLane lane, int samples, RejectReason reason, String message) {
        boolean accepted() {
            return reason == null;
        }
    }

    Outcome read(ConsumerRecord<byte[], byte[]> record) {
        String modelName = header(record.headers(), TrafficHeaders.MODEL);
        if (modelName == null) {
            return rejected(RejectReason.MISSING_MODEL_HEADER, "record has no " + TrafficHeaders.MODEL
                    + " header; the serving app must name the model");
        }
        ModelLane lane = lanes.get(modelName);
        if (lane == null || !lane.hasModel()) {
            return rejected(RejectReason.UNKNOWN_MODEL, "model '" + printable(modelName) + "' is "
                    + (lane == null ? "not watched by this agent (watched: " + lanes.keySet() + ")"
                            : "watched but no version is loaded from the model store"));
        }
        DecodeResult result;
        try {
            result = lane.decoders().decode(header(record.headers(), TrafficHeaders.CONTENT_TYPE), record.value(), target);
        } catch (RuntimeException e) {
            // The decoders promise never to throw; if one does, the record still must not stop the loop.
            LOG.errorf(e, "decoder failed on %s-%d@%d", record.topic(), record.partition(), record.offset());
            result = DecodeResult.rejected(RejectReason.BAD_HEADER, "the decoder failed on this value: " + e);
        }
        if (!result.isOk()) {
            return rejected(result.reason(), result.message());
        }
        return new Outcome(lane, result.samples(), null, null);
    }

    /** The decoded samples of the last accepted record, positioned at the first float. */
    FloatBuffer samples() {
        return target.floatBuffer();
    }

    private static Outcome rejected(RejectReason reason, String message) {
        return new Outcome(null, 0, reason, message);
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** At most 64 printable ASCII characters of an untrusted header, for messages. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 64; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
