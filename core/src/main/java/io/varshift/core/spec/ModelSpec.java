package io.varshift.core.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Everything needed to rebuild a model's DJL block identically: architecture, sizes (width, blocks,
 * depth), dropout placement and kind, input shape, class names, seed. Immutable; build with {@link #builder()}.
 *
 * <p>Dropout rates: {@link #dropRatio()} is the probability of DROPPING a unit (DJL's
 * {@code optRate}); {@link #retainRatio()} = 1 − dropRatio is the paper's p.
 */
public final class ModelSpec {

    /** The only {@code formatVersion} this code reads and writes. */
    public static final int FORMAT_VERSION = 1;

    /** The ten Fashion-MNIST class names, in label order. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    static final int MAX_WIDTH = 512;
    static final int MAX_BLOCKS = 8;
    /** RESNET and MOBILENET double the channels per stage; four stages is ResNet's full layout. */
    static final int MAX_STAGES = 4;
    static final int DEFAULT_RESNET_DEPTH = 18;
    static final double MAX_UOUT_BETA = 100;

    /** Network family; all contain BatchNorm everywhere. */
    public enum Architecture {
        /** Conv-BN-ReLU-Conv-BN-ReLU-MaxPool blocks, flatten, linear classifier. */
        CONVNET,
        /** Pre-activation ResNet: stem conv, BN-ReLU-Conv basic blocks, BN-ReLU, global average pool, linear. */
        PRERESNET,
        /** Post-activation ResNet V1 (ResNet-18/34 basic blocks): {@code blocks} stages sized by {@code depth}. */
        RESNET,
        /** MobileNet-V1-style: stem conv, one depthwise-separable block per stage, global average pool, linear. */
        MOBILENET;

        /** The JSON / command-line name, e.g. {@code convnet}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@link #id()} (case-insensitive); the message lists the accepted values. */
        public static Architecture parse(String value) {
            return parseEnum(Architecture.class, "architecture", value);
        }
    }

    /** Where dropout layers sit (paper, Section 5 and Fig. 1). */
    public enum DropoutPlacement {
        /** No dropout. */
        NONE,
        /** Paper's Dropout-(a): directly before each block's last BN (no layer in between). */
        BEFORE_BN,
        /** Paper's Dropout-(b), as in Wide ResNet: before each block's last convolution. */
        BEFORE_CONV,
        /** One dropout after all BN layers, right before the classifier (the paper's remedy). */
        AFTER_BN;

        /** The JSON / command-line name, e.g. {@code before-bn}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Parses {@link #id()} (case-insensitive, '-' or '_'); the message lists the accepted values. */
        public static DropoutPlacement parse(String value) {
            return parseEnum(DropoutPlacement.class, "dropoutPlacement", value);
        }
    }

    /** What a dropout layer does in training mode; both are the identity in eval mode. */
    public enum DropoutKind {
        /** Bernoulli dropout: keep with probability retainRatio, scale kept units by 1/retainRatio. */
        BERNOULLI,
        /** Paper's Uout: x + x·r, r ~ U(−β, β) elementwise. */
        UOUT;

        /** The JSON / command-line name, e.g. {@code uout}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@link #id()} (case-insensitive); the message lists the accepted values. */
        public static DropoutKind parse(String value) {
            return parseEnum(DropoutKind.class, "dropoutKind", value);
        }
    }

    /**
     * Per-channel input normalisation, (x − mean_c) / std_c, applied by the block's first layer
     * ({@link InputNormalization}); one value per input channel, std &gt; 0.
     */
    public record Normalization(List<Double> mean, List<Double> std) {
        public Normalization {
            mean = List.copyOf(mean);
            std = List.copyOf(std);
        }

        /** {@code {mean: [...], std: [...]}}, as model.json holds it (the record's components, bound by Jackson). */
        public ObjectNode toJson() {
            return Json.mapper().valueToTree(this);
        }
    }

    private final Architecture architecture;
    private final int width;
    private final int blocks;
    private final int depth;
    private final DropoutPlacement dropoutPlacement;
    private final DropoutKind dropoutKind;
    private final double dropRatio;
    private final double uoutBeta;
    private final long[] inputShape;
    private final List<String> classes;
    private final long seed;
    private final Normalization normalization;

    private ModelSpec(Builder b, int depth) {
        this.architecture = b.architecture;
        this.width = b.width;
        this.blocks = b.blocks;
        this.depth = depth;
        this.dropoutPlacement = b.dropoutPlacement;
        this.dropoutKind = b.dropoutKind;
        this.dropRatio = b.dropRatio;
        this.uoutBeta = b.uoutBeta;
        this.inputShape = b.inputShape.clone();
        this.classes = List.copyOf(b.classes);
        this.seed = b.seed;
        this.normalization = b.normalization;
    }

    /** A builder with nothing set; architecture, input shape and classes are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder preset for Fashion-MNIST: input [1, 28, 28] and its ten classes. */
    public static Builder fashionMnist(Architecture architecture) {
        return builder().setArchitecture(architecture)
                .setInputShape(1, 28, 28)
                .setClasses(FASHION_MNIST_CLASSES);
    }

    /** A builder holding this spec's values, to derive a variant. */
    public Builder toBuilder() {
        return builder().setArchitecture(architecture).optWidth(width).optBlocks(blocks).optDepth(depth)
                .optDropout(dropoutPlacement, dropoutKind).optDropRatio(dropRatio).optUoutBeta(uoutBeta)
                .setInputShape(inputShape).setClasses(classes).optSeed(seed).optNormalization(normalization);
    }

    /** The input normalisation, when the model was trained on normalised inputs. */
    public java.util.Optional<Normalization> normalization() {
        return java.util.Optional.ofNullable(normalization);
    }

    public Architecture architecture() {
        return architecture;
    }

    /** Base number of channels; stage i has width·2^i. */
    public int width() {
        return width;
    }

    /** Number of conv blocks (CONVNET), residual blocks (PRERESNET) or stages (RESNET, MOBILENET). */
    public int blocks() {
        return blocks;
    }

    /** RESNET's depth, 18 or 34 (what sets the blocks per stage); 0 for the other architectures. */
    public int depth() {
        return depth;
    }

    /** RESNET's blocks per stage: ResNet-18's [2,2,2,2] or -34's [3,4,6,3], cut to {@link #blocks()} stages. */
    public int[] resNetStageBlocks() {
        int[] all = switch (depth) {
            case 18 -> new int[] {2, 2, 2, 2};
            case 34 -> new int[] {3, 4, 6, 3};
            default -> throw new IllegalStateException(architecture.id() + " depth " + depth + " has no resnet stages");
        };
        return Arrays.copyOf(all, blocks);
    }

    public DropoutPlacement dropoutPlacement() {
        return dropoutPlacement;
    }

    public DropoutKind dropoutKind() {
        return dropoutKind;
    }

    /** Probability of dropping a unit in Bernoulli dropout (DJL's rate); 0 without dropout. */
    public double dropRatio() {
        return dropRatio;
    }

    /** The paper's p: probability of keeping a unit, 1 − {@link #dropRatio()}. */
    public double retainRatio() {
        return 1.0 - dropRatio;
    }

    /** Uout's β: noise r ~ U(−β, β); 0 unless dropoutKind is UOUT. */
    public double uoutBeta() {
        return uoutBeta;
    }

    /** Shape of one sample without the batch axis, e.g. [1, 28, 28]. */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /** Number of values in one sample (product of {@link #inputShape()}). */
    public long sampleSize() {
        long n = 1;
        for (long d : inputShape) {
            n *= d;
        }
        return n;
    }

    /** Class names in label order. */
    public List<String> classes() {
        return classes;
    }

    public long seed() {
        return seed;
    }

    public int formatVersion() {
        return FORMAT_VERSION;
    }

    /** True when the spec has dropout layers that do something in training. */
    public boolean hasDropout() {
        return dropoutPlacement != DropoutPlacement.NONE;
    }

    /** The JSON form (a Jackson tree, a new one per call), field by field; {@link #fromJson} reads it back. */
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("formatVersion", FORMAT_VERSION);
        o.put("architecture", architecture.id());
        o.put("width", width);
        o.put("blocks", blocks);
        o.put("depth", depth);
        o.put("dropoutPlacement", dropoutPlacement.id());
        o.put("dropoutKind", dropoutKind.id());
        o.put("dropRatio", dropRatio);
        o.put("retainRatio", retainRatio());
        o.put("uoutBeta", uoutBeta);
        ArrayNode shape = o.putArray("inputShape");
        for (long d : inputShape) {
            shape.add(d);
        }
        ArrayNode names = o.putArray("classes");
        classes.forEach(names::add);
        o.put("seed", seed);
        if (normalization != null) {
            o.set("normalization", normalization.toJson());
        }
        return o;
    }

    /**
     * Reads and validates a spec. Fields not listed in {@link #toJson()} are ignored, so that a
     * model.json can carry more sections (e.g. a training summary). {@code retainRatio}, when
     * present, must agree with {@code dropRatio}.
     *
     * {@code seed} must be an integer within ±2^53 (exact in JSON numbers). A missing {@code depth} is
     * 0, so model.json files written before it existed still load.
     *
     * @throws IllegalArgumentException naming the field, the value and the fix
     */
    public static ModelSpec fromJson(JsonNode json) {
        JsonFields f = new JsonFields("model spec", json);
        int version = f.integer("formatVersion");
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("model spec: formatVersion " + version
                    + " is not supported; this build reads formatVersion " + FORMAT_VERSION
                    + " (upgrade Varshift or re-export the model)");
        }
        Builder b = builder()
                .setArchitecture(Architecture.parse(f.string("architecture")))
                .optWidth(f.integer("width"))
                .optBlocks(f.integer("blocks"))
                .optDepth(json.has("depth") ? f.integer("depth") : 0)
                .optDropout(DropoutPlacement.parse(f.string("dropoutPlacement")),
                        DropoutKind.parse(f.string("dropoutKind")))
                .optDropRatio(f.number("dropRatio"))
                .optUoutBeta(f.number("uoutBeta"))
                .optSeed(f.longValue("seed"));
        double[] shape = f.doubles("inputShape");
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != Math.rint(shape[i]) || Math.abs(shape[i]) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("model spec: field 'inputShape'[" + i + "] = " + shape[i]
                        + " must be an integer");
            }
            dims[i] = (long) shape[i];
        }
        b.setInputShape(dims);
        if (json.has("normalization")) {
            JsonFields n = new JsonFields("model spec normalization", f.object("normalization"));
            b.optNormalization(new Normalization(boxed(n.doubles("mean")), boxed(n.doubles("std"))));
        }
        ArrayNode names = f.array("classes");
        List<String> classes = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            JsonNode e = names.get(i);
            if (!e.isTextual()) {
                throw new IllegalArgumentException("model spec: field 'classes'[" + i + "] must be a string");
            }
            classes.add(e.textValue());
        }
        b.setClasses(classes);
        ModelSpec spec = b.build();
        if (json.has("retainRatio")) {
            double retain = f.number("retainRatio");
            if (Math.abs(retain - spec.retainRatio()) > 1e-9) {
                throw new IllegalArgumentException("model spec: retainRatio " + retain
                        + " disagrees with dropRatio " + spec.dropRatio() + " (retainRatio must be 1 - dropRatio;"
                        + " remove retainRatio or fix one of them)");
            }
        }
        return spec;
    }

    private static List<Double> boxed(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ModelSpec s)) {
            return false;
        }
        return architecture == s.architecture && width == s.width && blocks == s.blocks && depth == s.depth
                && dropoutPlacement == s.dropoutPlacement && dropoutKind == s.dropoutKind
                && Double.compare(dropRatio, s.dropRatio) == 0 && Double.compare(uoutBeta, s.uoutBeta) == 0
                && Arrays.equals(inputShape, s.inputShape) && classes.equals(s.classes) && seed == s.seed
                && Objects.equals(normalization, s.normalization);
    }

    @Override
    public int hashCode() {
        return Objects.hash(architecture, width, blocks, depth, dropoutPlacement, dropoutKind, dropRatio, uoutBeta,
                Arrays.hashCode(inputShape), classes, seed, normalization);
    }

    @Override
    public String toString() {
        return Json.compact(toJson());
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String field, String value) {
        List<String> accepted = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            String id = e.name().toLowerCase(Locale.ROOT).replace('_', '-');
            accepted.add(id);
            if (value != null && id.equalsIgnoreCase(value.trim().replace('_', '-'))) {
                return e;
            }
        }
        throw new ModelSpecException(field, "model spec: " + field + " '" + value + "' is not one of " + accepted);
    }

    /** Builder: {@code set*} for what is required, {@code opt*} for what has a default. */
    public static final class Builder {
        private Architecture architecture;
        private int width = 16;
        private int blocks = 2;
        private int depth;
        private DropoutPlacement dropoutPlacement = DropoutPlacement.NONE;
        private DropoutKind dropoutKind = DropoutKind.BERNOULLI;
        private double dropRatio;
        private double uoutBeta;
        private long[] inputShape;
        private List<String> classes;
        private long seed = 42;
        private Normalization normalization;

        private Builder() {
        }

        public Builder setArchitecture(Architecture architecture) {
            this.architecture = architecture;
            return this;
        }

        /** Sample shape without the batch axis: [channels, height, width]. */
        public Builder setInputShape(long... inputShape) {
            this.inputShape = inputShape == null ? null : inputShape.clone();
            return this;
        }

        public Builder setClasses(List<String> classes) {
            this.classes = classes == null ? null : new ArrayList<>(classes);
            return this;
        }

        /** Base channel count (default 16). */
        public Builder optWidth(int width) {
            this.width = width;
            return this;
        }

        /** Number of conv / residual blocks, or of stages for RESNET and MOBILENET (default 2). */
        public Builder optBlocks(int blocks) {
            this.blocks = blocks;
            return this;
        }

        /** RESNET's depth, 18 or 34; 0 (the default) means the architecture's default, which RESNET stores as 18. */
        public Builder optDepth(int depth) {
            this.depth = depth;
            return this;
        }

        /** Dropout placement and kind (default NONE, BERNOULLI). */
        public Builder optDropout(DropoutPlacement placement, DropoutKind kind) {
            this.dropoutPlacement = placement;
            this.dropoutKind = kind;
            return this;
        }

        /** Probability of DROPPING a unit (DJL semantics), in [0, 1); the paper's p is 1 − this. */
        public Builder optDropRatio(double dropRatio) {
            this.dropRatio = dropRatio;
            return this;
        }

        /** Probability of KEEPING a unit (the paper's p), in (0, 1]; sets dropRatio = 1 − retainRatio. */
        public Builder optRetainRatio(double retainRatio) {
            this.dropRatio = 1.0 - retainRatio;
            return this;
        }

        /** Uout's β (noise r ~ U(−β, β)); required &gt; 0 when the kind is UOUT. */
        public Builder optUoutBeta(double uoutBeta) {
            this.uoutBeta = uoutBeta;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Per-channel input normalisation, or null for none (inputs used as they arrive, in [0, 1]). */
        public Builder optNormalization(Normalization normalization) {
            this.normalization = normalization;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid field, its value and the fix */
        public ModelSpec build() {
            require(architecture != null, "architecture", "architecture is missing (set convnet, preresnet, resnet or mobilenet)");
            require(width >= 1 && width <= MAX_WIDTH, "width", "width " + width + " is out of range; use 1.." + MAX_WIDTH);
            boolean staged = architecture == Architecture.RESNET || architecture == Architecture.MOBILENET;
            if (staged) {
                require(blocks >= 1 && blocks <= MAX_STAGES, "blocks", "blocks " + blocks + " is out of range for "
                        + architecture.id() + " (blocks counts stages); use 1.." + MAX_STAGES);
            } else {
                require(blocks >= 1 && blocks <= MAX_BLOCKS, "blocks",
                        "blocks " + blocks + " is out of range; use 1.." + MAX_BLOCKS);
            }
            if (architecture == Architecture.RESNET) {
                require(depth == 0 || depth == 18 || depth == 34, "depth", "resnet depth " + depth + " is not supported;"
                        + " use 18 (2,2,2,2 basic blocks per stage) or 34 (3,4,6,3), or 0 for "
                        + DEFAULT_RESNET_DEPTH);
            } else {
                require(depth == 0, "depth", architecture.id() + " depth " + depth + " is not supported; " + architecture.id()
                        + " is sized by width and blocks only, set depth 0 (depth 18 or 34 is for resnet)");
            }
            // Resolved here, not when building the block, so that model.json records the depth actually built.
            int builtDepth = architecture == Architecture.RESNET && depth == 0 ? DEFAULT_RESNET_DEPTH : depth;
            require(dropoutPlacement != null, "dropoutPlacement", "dropoutPlacement is missing (none, before-bn, before-conv, after-bn)");
            require(dropoutKind != null, "dropoutKind", "dropoutKind is missing (bernoulli or uout)");
            require(Double.isFinite(dropRatio) && dropRatio >= 0 && dropRatio < 1, "dropRatio",
                    "dropRatio " + dropRatio + " is out of range; use 0 <= dropRatio < 1 (the DROP probability)");
            require(Double.isFinite(uoutBeta) && uoutBeta >= 0 && uoutBeta <= MAX_UOUT_BETA, "uoutBeta",
                    "uoutBeta " + uoutBeta + " is out of range; use 0 <= uoutBeta <= " + MAX_UOUT_BETA);
            if (dropoutPlacement == DropoutPlacement.NONE) {
                require(dropRatio == 0 && uoutBeta == 0, "dropRatio", "dropRatio " + dropRatio + " / uoutBeta " + uoutBeta
                        + " given with dropoutPlacement none; set a placement or leave them 0");
            } else if (dropoutKind == DropoutKind.BERNOULLI) {
                require(dropRatio > 0 && uoutBeta == 0, "dropRatio", "bernoulli dropout needs 0 < dropRatio < 1 and uoutBeta 0;"
                        + " got dropRatio " + dropRatio + ", uoutBeta " + uoutBeta);
            } else {
                require(uoutBeta > 0 && dropRatio == 0, "uoutBeta", "uout dropout needs uoutBeta > 0 and dropRatio 0;"
                        + " got uoutBeta " + uoutBeta + ", dropRatio " + dropRatio);
            }
            require(inputShape != null, "inputShape", "inputShape is missing (e.g. [1, 28, 28])");
            require(inputShape.length == 3, "inputShape", "inputShape " + Arrays.toString(inputShape)
                    + " must have 3 dimensions [channels, height, width]");
            for (long d : inputShape) {
                require(d >= 1 && d <= 4096, "inputShape", "inputShape " + Arrays.toString(inputShape)
                        + " has a dimension outside 1..4096");
            }
            require(inputShape[0] <= 64, "inputShape", "inputShape " + Arrays.toString(inputShape) + " has more than 64 channels");
            // CONVNET max-pools after every block; the others stride 2 from their second block or stage.
            int downsamplings = architecture == Architecture.CONVNET ? blocks : blocks - 1;
            long minSide = 1L << downsamplings;
            require(inputShape[1] >= minSide && inputShape[2] >= minSide, "inputShape", "inputShape " + Arrays.toString(inputShape)
                    + " is too small for " + blocks + " " + architecture.id() + (staged ? " stages" : " blocks")
                    + " (" + downsamplings + " halvings of the side need height and width >= " + minSide
                    + "); use fewer blocks or a larger input");
            require(classes != null, "classes", "classes is missing (list of class names in label order)");
            require(classes.size() >= 2 && classes.size() <= 10_000, "classes",
                    "classes has " + classes.size() + " names; use 2..10000");
            Set<String> seen = new HashSet<>();
            for (String c : classes) {
                require(c != null && !c.isBlank(), "classes", "classes contains a blank name; give every class a name");
                require(seen.add(c), "classes", "classes contains '" + c + "' twice; names must be distinct");
            }
            if (normalization != null) {
                require(normalization.mean().size() == inputShape[0] && normalization.std().size() == inputShape[0], "inputShape",
                        "normalization has " + normalization.mean().size() + " means and " + normalization.std().size()
                                + " standard deviations for " + inputShape[0] + " input channels; give one of each"
                                + " per channel");
                for (int c = 0; c < inputShape[0]; c++) {
                    double m = normalization.mean().get(c);
                    double sd = normalization.std().get(c);
                    require(Double.isFinite(m) && Double.isFinite(sd) && sd > 0, "normalization", "normalization of channel " + c
                            + " is mean " + m + ", std " + sd + "; the mean must be finite and the std finite and > 0");
                }
            }
            return new ModelSpec(this, builtDepth);
        }

        private static void require(boolean ok, String field, String message) {
            if (!ok) {
                throw new ModelSpecException(field, "model spec: " + message);
            }
        }
    }
}
