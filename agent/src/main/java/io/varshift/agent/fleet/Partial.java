package io.varshift.agent.fleet;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.varshift.agent.loop.WindowJson;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;
import io.varshift.core.moments.ChannelMoments;

/**
 * One model's share of one slice of one traffic partition, as an agent in fleet mode publishes it:
 * the slice's window state (per-layer moments, cell score sums, samples per predicted class) and
 * where its records are. The fleet judge merges partials into fleet windows.
 *
 * @param sliceStart first offset of the slice (the agent's commit before it)
 * @param sliceEnd offset after the slice (the agent's commit after it)
 * @param cut why the slice ended: {@code offset} (it reached its offset boundary), {@code time}
 *     ({@code fleet.slice-duration}) or {@code version} (a new model version waits)
 * @param first first offset of this model's records in the slice
 * @param last last offset of this model's records in the slice
 * @param moments per probed layer, in model order, shifted by the layer's stored running mean
 */
public record Partial(String model, String version, String topic, int partition, long sliceStart, long sliceEnd,
        String cut, long first, long last, long samples, double sampleRate, Instant openedAt, Instant closedAt,
        long[] classCounts, double[] cellScoreSums, List<ChannelMoments> moments) {

    /** Bumped on any incompatible change of the record layout. */
    public static final int SCHEMA_VERSION = 1;
    /** Partials larger than this are refused unread (a ConvNet of width 64 needs about 20 KiB). */
    static final int MAX_BYTES = 4 << 20;

    public Partial {
        moments = List.copyOf(moments);
    }

    /**
     * Identifies the partial: model, version, partition and slice start. A replay after a crash cuts
     * the same slice from the same commit and gets the same id; only one of the two is ever committed.
     */
    public long id() {
        long h = 1125899906842597L;
        String key = model + '\u0000' + version + '\u0000' + topic;
        for (int i = 0; i < key.length(); i++) {
            h = 31 * h + key.charAt(i);
        }
        h = 31 * h + partition;
        h = 31 * h + sliceStart;
        return mix(h) & Long.MAX_VALUE;
    }

    /** The stafford variant 13 finaliser: ids spread over the whole range. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    public byte[] bytes() {
        ObjectNode o = Json.object();
        o.put("schemaVersion", SCHEMA_VERSION);
        o.put("partialId", Long.toHexString(id()));
        o.put("model", model);
        o.put("version", version);
        o.put("topic", topic);
        o.put("partition", partition);
        o.put("sliceStart", sliceStart);
        o.put("sliceEnd", sliceEnd);
        o.put("cut", cut);
        o.put("first", first);
        o.put("last", last);
        o.put("samples", samples);
        o.put("sampleRate", sampleRate);
        o.put("openedAt", openedAt.toString());
        o.put("closedAt", closedAt.toString());
        o.set("predictedClassCounts", JsonFields.array(classCounts));
        o.set("cellScoreSums", JsonFields.array(cellScoreSums));
        ArrayNode layers = o.putArray("moments");
        Base64.Encoder b64 = Base64.getEncoder();
        for (ChannelMoments m : moments) {
            layers.add(b64.encodeToString(m.toBytes()));
        }
        return WindowJson.bytes(o);
    }

    /**
     * Reads {@link #bytes()}.
     *
     * @throws IllegalArgumentException naming the field and what is wrong with it
     */
    public static Partial parse(byte[] value) {
        if (value == null || value.length == 0 || value.length > MAX_BYTES) {
            throw new IllegalArgumentException("partial: " + (value == null ? "no value" : value.length + " bytes")
                    + "; expected a JSON object of at most " + MAX_BYTES + " bytes");
        }
        ObjectNode o;
        try {
            o = Json.parseObject(new String(value, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("partial: not a JSON object (" + e.getMessage() + ")");
        }
        int schema = (int) integer(o, "schemaVersion");
        if (schema != SCHEMA_VERSION) {
            throw new IllegalArgumentException("partial: schemaVersion " + schema + "; this build reads "
                    + SCHEMA_VERSION + ", upgrade the fleet judge");
        }
        ArrayNode counts = array(o, "predictedClassCounts");
        long[] classCounts = new long[counts.size()];
        long total = 0;
        for (int i = 0; i < classCounts.length; i++) {
            classCounts[i] = integer(counts.get(i), "predictedClassCounts[" + i + "]");
            if (classCounts[i] < 0) {
                throw new IllegalArgumentException("partial: predictedClassCounts[" + i + "] = " + classCounts[i]);
            }
            total += classCounts[i];
        }
        ArrayNode layers = array(o, "moments");
        List<ChannelMoments> moments = new ArrayList<>();
        Base64.Decoder b64 = Base64.getDecoder();
        for (int i = 0; i < layers.size(); i++) {
            String encoded = text(layers.get(i), "moments[" + i + "]");
            try {
                moments.add(ChannelMoments.fromBytes(b64.decode(encoded)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("partial: moments[" + i + "]: " + e.getMessage());
            }
        }
        ArrayNode scores = array(o, "cellScoreSums");
        double[] cellScoreSums = new double[scores.size()];
        for (int i = 0; i < cellScoreSums.length; i++) {
            cellScoreSums[i] = number(scores.get(i), "cellScoreSums[" + i + "]");
        }
        Partial p = new Partial(text(o, "model"), text(o, "version"), text(o, "topic"), (int) integer(o, "partition"),
                integer(o, "sliceStart"), integer(o, "sliceEnd"), text(o, "cut"), integer(o, "first"),
                integer(o, "last"), integer(o, "samples"), number(o, "sampleRate"), instant(o, "openedAt"),
                instant(o, "closedAt"), classCounts, cellScoreSums, moments);
        if (p.samples < 1 || p.samples != total) {
            throw new IllegalArgumentException("partial " + p.topic + "-" + p.partition + "@" + p.sliceStart + ": samples = "
                    + p.samples + " but the class counts add up to " + total + "; need equal counts of at least 1");
        }
        if (!(p.sliceStart <= p.first && p.first <= p.last && p.last < p.sliceEnd)) {
            throw new IllegalArgumentException("partial " + p.topic + "-" + p.partition + ": records " + p.first + ".."
                    + p.last + " outside its slice [" + p.sliceStart + ", " + p.sliceEnd + ")");
        }
        if (moments.isEmpty() || cellScoreSums.length != moments.size()) {
            throw new IllegalArgumentException("partial " + p.topic + "-" + p.partition + "@" + p.sliceStart + ": "
                    + moments.size() + " layers of moments and " + cellScoreSums.length
                    + " cell score sums; need one of each per probed layer");
        }
        return p;
    }

    private static JsonNode field(ObjectNode o, String name) {
        JsonNode e = o.get(name);
        if (e == null || e.isNull()) {
            throw new IllegalArgumentException("partial: field '" + name + "' is missing");
        }
        return e;
    }

    private static String text(ObjectNode o, String name) {
        return text(field(o, name), name);
    }

    /** A string (a number or a boolean is taken as its text). */
    private static String text(JsonNode e, String name) {
        if (!e.isValueNode() || e.isNull()) {
            throw new IllegalArgumentException("partial: field '" + name + "' is not a string");
        }
        return e.asText();
    }

    private static long integer(ObjectNode o, String name) {
        return integer(field(o, name), name);
    }

    /** A number (its integer part) or a string of an integer. */
    private static long integer(JsonNode e, String name) {
        if (e.isNumber()) {
            return e.asLong();
        }
        try {
            if (e.isTextual()) {
                return Long.parseLong(e.textValue());
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("partial: field '" + name + "' is not an integer");
    }

    private static double number(ObjectNode o, String name) {
        return number(field(o, name), name);
    }

    /** A number (NaN and the infinities included) or a string of one. */
    private static double number(JsonNode e, String name) {
        if (e.isNumber()) {
            return e.asDouble();
        }
        try {
            if (e.isTextual()) {
                return Double.parseDouble(e.textValue());
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("partial: field '" + name + "' is not a number");
    }

    private static ArrayNode array(ObjectNode o, String name) {
        JsonNode e = field(o, name);
        if (!e.isArray()) {
            throw new IllegalArgumentException("partial: field '" + name + "' is not an array");
        }
        return (ArrayNode) e;
    }

    private static Instant instant(ObjectNode o, String name) {
        try {
            return Instant.parse(text(o, name));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("partial: field '" + name + "' is not an ISO-8601 instant");
        }
    }
}
