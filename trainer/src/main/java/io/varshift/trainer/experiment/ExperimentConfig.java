package io.varshift.trainer.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.Sha256;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;
import io.varshift.core.spec.ModelSpec.Architecture;
import io.varshift.core.spec.ModelSpec.DropoutPlacement;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sweep's settings, read field by field from JSON (see {@code experiment/default.json}). Drop
 * ratios are DJL's drop probability; the paper's p (retain ratio) is 1 − dropRatio.
 *
 * @param trainSamples   first N samples of the training split used for training
 * @param measureSamples first N training samples used for the eval-mode measurement and Adjust BN
 * @param heldOutSamples first N samples of the test split (held-out error and shift)
 * @param targetErrors   held-out error without dropout the config aims for, by architecture (the report
 *                       says whether it was reached); may be empty
 */
record ExperimentConfig(String name, List<Architecture> architectures, int width, int blocks, int epochs,
                        int batchSize, int trainSamples, int measureSamples, int heldOutSamples, List<Long> seeds,
                        List<Sweep> bernoulli, DropoutPlacement uoutPlacement, List<Double> uoutBetas,
                        Controlled controlled, WidthSweep widthSweep, Map<Architecture, Double> targetErrors) {

    /** Bernoulli dropout at one placement, at each drop ratio. */
    record Sweep(DropoutPlacement placement, List<Double> dropRatios) {
    }

    /**
     * The frozen-weights theory check: an untrained model's BN statistics are estimated in training
     * mode (dropout on) for {@code batches} batches of {@code samples} images, then measured in eval mode.
     */
    record Controlled(int samples, int batches, List<Double> dropRatios) {
    }

    /**
     * The paper's width argument (Eq. 14): ConvNet with Dropout-(b) (dropout → conv → BN) at one drop
     * ratio, trained at each width; the first dropout site's measured Δ is compared with Eq. 14 fed
     * by the trained layer's d·cos²θ. Empty {@code widths}: no sweep.
     */
    record WidthSweep(double dropRatio, List<Integer> widths) {
        static final WidthSweep NONE = new WidthSweep(0.5, List.of());
    }

    private static final Set<String> FIELDS = Set.of("name", "description", "architectures", "width", "blocks",
            "epochs", "batchSize", "trainSamples", "measureSamples", "heldOutSamples", "seeds", "bernoulli", "uout",
            "controlled", "widthSweep", "targetErrors");

    /** The bundled reduced sweep for a 2-core CPU. */
    static final String DEFAULT_RESOURCE = "/experiment/default.json";

    /** The bundled configs {@code --config} accepts by name: {@code /experiment/<name>.json}. */
    static final List<String> BUNDLED = List.of("default", "quick", "research", "full");

    /** A bundled config by name (see {@link #BUNDLED}), else a JSON file. */
    static ExperimentConfig resolve(String nameOrFile) {
        if (BUNDLED.contains(nameOrFile)) {
            return loadResource("/experiment/" + nameOrFile + ".json");
        }
        Path file = Path.of(nameOrFile);
        if (!Files.exists(file) && !nameOrFile.contains("/") && !nameOrFile.endsWith(".json")) {
            throw new IllegalArgumentException("experiment config " + nameOrFile + ": no such file, and not a"
                    + " bundled config; bundled configs are " + BUNDLED);
        }
        return load(file);
    }

    static ExperimentConfig load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("experiment config " + file + ": cannot read it (" + e.getMessage()
                    + "); give an existing JSON file with --config");
        }
    }

    static ExperimentConfig loadResource(String resource) {
        try (InputStream in = ExperimentConfig.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("bundled experiment config " + resource + " is missing from the jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled experiment config " + resource, e);
        }
    }

    static ExperimentConfig parse(String text, String source) {
        JsonNode root;
        try {
            root = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("experiment config " + source + ": not valid JSON (" + e.getMessage()
                    + ")");
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("experiment config " + source + ": must be a JSON object");
        }
        return fromJson((ObjectNode) root, source);
    }

    static ExperimentConfig fromJson(ObjectNode o, String source) {
        Fields f = new Fields(o, source);
        for (String key : (Iterable<String>) o::fieldNames) {
            if (!FIELDS.contains(key)) {
                throw f.error(key, "is not a known field; known fields are " + FIELDS);
            }
        }
        List<Architecture> architectures = new ArrayList<>();
        for (JsonNode e : f.array("architectures", 1, 2)) {
            architectures.add(Architecture.parse(f.string(e, "architectures[]")));
        }
        List<Long> seeds = new ArrayList<>();
        for (JsonNode e : f.array("seeds", 1, 100)) {
            seeds.add(f.integer(e, "seeds[]", 0, Integer.MAX_VALUE));
        }
        List<Sweep> bernoulli = new ArrayList<>();
        for (JsonNode e : f.array("bernoulli", 0, 3)) {
            if (!e.isObject()) {
                throw f.error("bernoulli[]", "must be an object {placement, dropRatios}, got " + Json.compact(e));
            }
            Fields s = new Fields(e, source + " bernoulli[]");
            DropoutPlacement placement = DropoutPlacement.parse(s.read.string("placement"));
            if (placement == DropoutPlacement.NONE) {
                throw s.error("placement", "none is always run as the baseline; list before-bn, before-conv"
                        + " or after-bn");
            }
            bernoulli.add(new Sweep(placement, s.ratios("dropRatios", 0.0, 1.0)));
        }
        Fields u = new Fields(f.read.object("uout"), source + " uout");
        DropoutPlacement uoutPlacement = DropoutPlacement.parse(u.read.string("placement"));
        Fields c = new Fields(f.read.object("controlled"), source + " controlled");
        Controlled controlled = new Controlled(c.intField("samples", 16, 10_000), c.intField("batches", 1, 10_000),
                c.ratios("dropRatios", 0.0, 1.0));
        int heldOut = f.intField("heldOutSamples", 16, 10_000);
        WidthSweep widthSweep = WidthSweep.NONE;
        if (o.has("widthSweep")) {
            Fields w = new Fields(f.read.object("widthSweep"), source + " widthSweep");
            double ratio = w.read.number("dropRatio");
            if (!(ratio > 0 && ratio < 1)) {
                throw w.error("dropRatio", "value " + ratio + " must lie strictly between 0.0 and 1.0");
            }
            List<Integer> widths = new ArrayList<>();
            for (JsonNode e : w.array("widths", 1, 16)) {
                int width = (int) w.integer(e, "widths[]", 1, 512);
                if (!widths.isEmpty() && width <= widths.get(widths.size() - 1)) {
                    throw w.error("widths", "must increase strictly (the report compares the narrowest with the"
                            + " widest), got " + Json.compact(w.read.array("widths")));
                }
                widths.add(width);
            }
            if (!architectures.contains(Architecture.CONVNET)) {
                throw w.error("widths", "needs convnet among the architectures (Eq. 14 is checked where a dropout"
                        + " feeds a conv that feeds a BN)");
            }
            widthSweep = new WidthSweep(ratio, List.copyOf(widths));
        }
        Map<Architecture, Double> targets = new LinkedHashMap<>();
        if (o.has("targetErrors")) {
            Fields t = new Fields(f.read.object("targetErrors"), source + " targetErrors");
            for (String key : (Iterable<String>) o.get("targetErrors")::fieldNames) {
                Architecture a = Architecture.parse(key);
                double target = t.read.number(key);
                if (!(target > 0 && target < 1)) {
                    throw t.error(key, "value " + target + " must be an error rate strictly between 0.0 and 1.0");
                }
                targets.put(a, target);
            }
        }
        return new ExperimentConfig(f.read.string("name"), List.copyOf(architectures),
                f.intField("width", 1, 512), f.intField("blocks", 1, 8), f.intField("epochs", 1, 1000),
                f.intField("batchSize", 2, 4096), f.intField("trainSamples", 16, 60_000),
                f.intField("measureSamples", 16, 60_000), heldOut, List.copyOf(seeds), List.copyOf(bernoulli),
                uoutPlacement, u.ratios("betas", 0.0, 100.0), controlled, widthSweep, Map.copyOf(targets));
    }

    /**
     * Everything that changes a trained cell's numbers but is not in its key (the width is): cells of
     * equal settings are shared.
     */
    ObjectNode trainingSettings() {
        ObjectNode o = Json.object();
        o.put("blocks", blocks);
        o.put("epochs", epochs);
        o.put("batchSize", batchSize);
        o.put("trainSamples", trainSamples);
        o.put("measureSamples", measureSamples);
        o.put("heldOutSamples", heldOutSamples);
        o.put("format", CellResult.FORMAT);
        return o;
    }

    /** Eight hex digits of SHA-256 over {@link #trainingSettings()}: the folder of this config's cells. */
    String settingsFingerprint() {
        return Sha256.hex(Json.compact(trainingSettings()).getBytes(StandardCharsets.UTF_8)).substring(0, 8);
    }

    /**
     * The cells in the order they run, in tiers over every seed and architecture: first what the
     * paper's Table 3 needs (no dropout, Dropout-(a) and (b) at drop 0.5), then the width sweep, then
     * the other Bernoulli cells, then Uout; so a sweep cut short by its budget still has the main
     * tables with all seeds. A width-sweep cell at the config's width is the Dropout-(b) cell itself.
     */
    List<Cell> cells() {
        List<Cell> first = new ArrayList<>();
        List<Cell> widths = new ArrayList<>();
        List<Cell> second = new ArrayList<>();
        List<Cell> third = new ArrayList<>();
        for (long seed : seeds) {
            for (Architecture a : architectures) {
                first.add(Cell.none(a, width, seed));
                for (Sweep s : bernoulli) {
                    for (double ratio : s.dropRatios()) {
                        boolean table3 = ratio == 0.5 && s.placement() != DropoutPlacement.AFTER_BN;
                        (table3 ? first : second).add(Cell.bernoulli(a, width, s.placement(), ratio, seed));
                    }
                }
                for (double beta : uoutBetas) {
                    third.add(Cell.uout(a, width, uoutPlacement, beta, seed));
                }
            }
            for (int w : widthSweep.widths()) {
                widths.add(widthCell(w, seed));
            }
        }
        Set<Cell> out = new LinkedHashSet<>(first);
        out.addAll(widths);
        out.addAll(second);
        out.addAll(third);
        return List.copyOf(out);
    }

    /** The width sweep's cell at one width and seed. */
    Cell widthCell(int w, long seed) {
        return Cell.bernoulli(Architecture.CONVNET, w, DropoutPlacement.BEFORE_CONV, widthSweep.dropRatio(), seed);
    }

    /**
     * Core's field reader for the types, plus what a sweep allows (sizes, ranges); every error names the
     * source, the field, the value and what is allowed.
     */
    private record Fields(JsonFields read, String source) {

        Fields(JsonNode o, String source) {
            this(new JsonFields("experiment config " + source, o), source);
        }

        IllegalArgumentException error(String field, String detail) {
            return new IllegalArgumentException("experiment config " + source + ": field '" + field + "' " + detail);
        }

        ArrayNode array(String field, int min, int max) {
            ArrayNode a = read.array(field);
            if (a.size() < min || a.size() > max) {
                throw error(field, "must be an array of " + min + ".." + max + " entries, got " + Json.compact(a));
            }
            return a;
        }

        String string(JsonNode e, String field) {
            if (!e.isTextual()) {
                throw error(field, "must be a string, got " + Json.compact(e));
            }
            return e.textValue();
        }

        double number(JsonNode e, String field) {
            if (!e.isNumber()) {
                throw error(field, "must be a number, got " + Json.compact(e));
            }
            return e.doubleValue();
        }

        long integer(JsonNode e, String field, long min, long max) {
            double d = number(e, field);
            if (d != Math.rint(d) || d < min || d > max) {
                throw error(field, "must be a whole number in " + min + ".." + max + ", got " + Json.compact(e));
            }
            return (long) d;
        }

        int intField(String field, int min, int max) {
            long v = read.longValue(field);
            if (v < min || v > max) {
                throw error(field, "must be a whole number in " + min + ".." + max + ", got " + v);
            }
            return (int) v;
        }

        /** Numbers strictly between {@code low} and {@code high}. */
        List<Double> ratios(String field, double low, double high) {
            List<Double> out = new ArrayList<>();
            for (JsonNode e : array(field, 0, 16)) {
                double v = number(e, field + "[]");
                if (!(v > low && v < high)) {
                    throw error(field, "value " + v + " must lie strictly between " + low + " and " + high);
                }
                out.add(v);
            }
            return List.copyOf(out);
        }
    }
}
