package io.varshift.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.probe.ProbedBatchNorm;
import io.varshift.core.spec.ModelSpec;

import java.util.List;

import io.varshift.core.spec.ModelSpec.DropoutPlacement;

/**
 * Builds the DJL block of a {@link ModelSpec}. The structure depends only on the spec, so a params
 * file written by the trainer loads by position into a block built anywhere else. Every BatchNorm is
 * a {@link ProbedBatchNorm} with a stable name.
 *
 * <p>CONVNET, block b (channels width·2^(b−1)): Conv3x3 → BN {@code block<b>.bn1} → ReLU → Conv3x3 →
 * BN {@code block<b>.bn2} → ReLU → MaxPool2; then flatten → Linear.
 * PRERESNET: Conv3x3 stem, then per block b (stride 2 from b = 2): [BN {@code block<b>.bn1} → ReLU →
 * Conv3x3 → BN {@code block<b>.bn2} → ReLU → Conv3x3] + shortcut (identity, or a 1x1 conv when the
 * shape changes); then BN {@code head.bn} → ReLU → global average pool → Linear.
 *
 * <p>RESNET is ResNet V1 with basic blocks, laid out like DJL basicmodelzoo's {@code ResNetV1} but
 * without the max-pool (inputs are small images): Conv3x3 stem → BN {@code stem.bn} → ReLU; stage s
 * (channels width·2^(s−1)) has the depth's blocks (18: 2,2,2,2; 34: 3,4,6,3), the first of stages 2+
 * with stride 2; block b is [Conv3x3 → BN {@code stage<s>.block<b>.bn1} → ReLU → Conv3x3 → BN
 * {@code stage<s>.block<b>.bn2}] + shortcut (identity, or Conv1x1 → BN {@code stage<s>.block<b>.shortcut.bn}
 * where the shape changes), summed, then ReLU; then global average pool → Linear.
 *
 * <p>MOBILENET, stage s (channels width·2^(s−1), stride 2 from s = 2) after the same stem: depthwise
 * Conv3x3 → BN {@code stage<s>.dw.bn} → ReLU → pointwise Conv1x1 → BN {@code stage<s>.pw.bn} → ReLU;
 * then global average pool → Linear.
 *
 * <p>Dropout, with one meaning in every family: BEFORE_BN right before each block's last BN
 * ({@code bn2}, or {@code pw.bn}); BEFORE_CONV before each block's last conv (RESNET's second 3x3,
 * MOBILENET's pointwise); AFTER_BN once before the Linear. Shortcut BNs get no dropout.
 */
public final class ModelBlocks {

    private ModelBlocks() {
    }

    /** A fresh, uninitialised block for the spec. */
    public static Block build(ModelSpec spec) {
        return switch (spec.architecture()) {
            case CONVNET -> convNet(spec);
            case PRERESNET -> preResNet(spec);
            case RESNET -> resNet(spec);
            case MOBILENET -> mobileNet(spec);
        };
    }

    /**
     * The BN layers that a dropout layer feeds directly (the paper's Dropout-(a) sites), read from the
     * spec's block structure, so that every family is covered however its layers are named.
     */
    public static java.util.Set<String> bnLayersAfterDropout(ModelSpec spec) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        collectAfterDropout(build(spec), out);
        return out;
    }

    private static void collectAfterDropout(Block block, java.util.Set<String> out) {
        Block previous = null;
        for (Block child : block.getChildren().values()) {
            if (child instanceof ProbedBatchNorm bn && (previous instanceof Dropout || previous instanceof UoutBlock)) {
                out.add(bn.layerName());
            }
            collectAfterDropout(child, out);
            previous = child;
        }
    }

    /** The BN layer names of the spec's block in forward order (as in reference.json). */
    public static List<String> bnLayerNames(ModelSpec spec) {
        return BnProbes.find(build(spec)).stream().map(ProbedBatchNorm::layerName).toList();
    }

    private static Block convNet(ModelSpec spec) {
        SequentialBlock net = input(spec);
        for (int b = 1; b <= spec.blocks(); b++) {
            int channels = spec.width() << (b - 1);
            net.add(conv(channels, 1));
            net.add(bn("block" + b + ".bn1"));
            net.add(Activation.reluBlock());
            addDropoutIf(net, spec, DropoutPlacement.BEFORE_CONV);
            net.add(conv(channels, 1));
            addDropoutIf(net, spec, DropoutPlacement.BEFORE_BN);
            net.add(bn("block" + b + ".bn2"));
            net.add(Activation.reluBlock());
            net.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        net.add(Blocks.batchFlattenBlock());
        addDropoutIf(net, spec, DropoutPlacement.AFTER_BN);
        net.add(Linear.builder().setUnits(spec.classes().size()).build());
        return net;
    }

    private static Block preResNet(ModelSpec spec) {
        SequentialBlock net = input(spec);
        net.add(conv(spec.width(), 1));
        for (int b = 1; b <= spec.blocks(); b++) {
            int channels = spec.width() << (b - 1);
            int stride = b == 1 ? 1 : 2;
            SequentialBlock main = new SequentialBlock();
            main.add(bn("block" + b + ".bn1"));
            main.add(Activation.reluBlock());
            main.add(conv(channels, stride));
            addDropoutIf(main, spec, DropoutPlacement.BEFORE_BN);
            main.add(bn("block" + b + ".bn2"));
            main.add(Activation.reluBlock());
            addDropoutIf(main, spec, DropoutPlacement.BEFORE_CONV);
            main.add(conv(channels, 1));
            Block shortcut = b == 1 ? Blocks.identityBlock() : pointwise(channels, stride);
            net.add(new ParallelBlock(ModelBlocks::sum, List.of(main, shortcut)));
        }
        net.add(bn("head.bn"));
        net.add(Activation.reluBlock());
        addPooledClassifier(net, spec);
        return net;
    }

    private static Block resNet(ModelSpec spec) {
        SequentialBlock net = stem(spec);
        int[] stageBlocks = spec.resNetStageBlocks();
        for (int s = 1; s <= stageBlocks.length; s++) {
            int channels = spec.width() << (s - 1);
            for (int b = 1; b <= stageBlocks[s - 1]; b++) {
                // The stem already has stage 1's width, so only the first block of stages 2+ changes the shape.
                boolean downsamples = s > 1 && b == 1;
                net.add(basicBlock(spec, "stage" + s + ".block" + b, channels, downsamples ? 2 : 1, downsamples));
                net.add(Activation.reluBlock());
            }
        }
        addPooledClassifier(net, spec);
        return net;
    }

    /** The residual sum of a post-activation basic block; the ReLU after it is the caller's. */
    private static Block basicBlock(ModelSpec spec, String name, int channels, int stride, boolean project) {
        SequentialBlock main = new SequentialBlock();
        main.add(conv(channels, stride));
        main.add(bn(name + ".bn1"));
        main.add(Activation.reluBlock());
        addDropoutIf(main, spec, DropoutPlacement.BEFORE_CONV);
        main.add(conv(channels, 1));
        addDropoutIf(main, spec, DropoutPlacement.BEFORE_BN);
        main.add(bn(name + ".bn2"));
        Block shortcut = project
                ? new SequentialBlock().add(pointwise(channels, stride)).add(bn(name + ".shortcut.bn"))
                : Blocks.identityBlock();
        return new ParallelBlock(ModelBlocks::sum, List.of(main, shortcut));
    }

    private static Block mobileNet(ModelSpec spec) {
        SequentialBlock net = stem(spec);
        int inChannels = spec.width();
        for (int s = 1; s <= spec.blocks(); s++) {
            int channels = spec.width() << (s - 1);
            net.add(depthwise(inChannels, s == 1 ? 1 : 2));
            net.add(bn("stage" + s + ".dw.bn"));
            net.add(Activation.reluBlock());
            addDropoutIf(net, spec, DropoutPlacement.BEFORE_CONV);
            net.add(pointwise(channels, 1));
            addDropoutIf(net, spec, DropoutPlacement.BEFORE_BN);
            net.add(bn("stage" + s + ".pw.bn"));
            net.add(Activation.reluBlock());
            inChannels = channels;
        }
        addPooledClassifier(net, spec);
        return net;
    }

    /** RESNET's and MOBILENET's stem: Conv3x3 (width filters) → BN {@code stem.bn} → ReLU, no pooling. */
    private static SequentialBlock stem(ModelSpec spec) {
        SequentialBlock net = input(spec);
        net.add(conv(spec.width(), 1));
        net.add(bn("stem.bn"));
        net.add(Activation.reluBlock());
        return net;
    }

    /** Global average pool → [AFTER_BN dropout] → Linear, the head of every family but CONVNET. */
    private static void addPooledClassifier(SequentialBlock net, ModelSpec spec) {
        net.add(Pool.globalAvgPool2dBlock());
        addDropoutIf(net, spec, DropoutPlacement.AFTER_BN);
        net.add(Linear.builder().setUnits(spec.classes().size()).build());
    }

    /** The top-level block, holding the spec's input normalisation first when it has one. */
    private static SequentialBlock input(ModelSpec spec) {
        SequentialBlock net = new SequentialBlock();
        spec.normalization().ifPresent(n -> net.add(new InputNormalization(n)));
        return net;
    }

    private static NDList sum(List<NDList> branches) {
        return new NDList(branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow()));
    }

    private static Block conv(int channels, int stride) {
        // No bias: the BatchNorm that follows (directly or after dropout) removes any constant offset.
        return Conv2d.builder().setFilters(channels).setKernelShape(new Shape(3, 3))
                .optStride(new Shape(stride, stride)).optPadding(new Shape(1, 1)).optBias(false).build();
    }

    /** A 1x1 conv without bias: a residual shortcut's projection or MOBILENET's pointwise conv. */
    private static Block pointwise(int channels, int stride) {
        return Conv2d.builder().setFilters(channels).setKernelShape(new Shape(1, 1))
                .optStride(new Shape(stride, stride)).optBias(false).build();
    }

    /** One 3x3 filter per channel: DJL infers the weight's input axis as channels / groups = 1. */
    private static Block depthwise(int channels, int stride) {
        return Conv2d.builder().setFilters(channels).setKernelShape(new Shape(3, 3)).optGroups(channels)
                .optStride(new Shape(stride, stride)).optPadding(new Shape(1, 1)).optBias(false).build();
    }

    private static ProbedBatchNorm bn(String name) {
        return new ProbedBatchNorm(name, BatchNorm.builder().build());
    }

    private static void addDropoutIf(SequentialBlock net, ModelSpec spec, DropoutPlacement here) {
        if (spec.dropoutPlacement() == here) {
            net.add(dropout(spec));
        }
    }

    /** The spec's dropout layer: DJL Dropout takes the DROP ratio; Uout takes β. */
    static Block dropout(ModelSpec spec) {
        return switch (spec.dropoutKind()) {
            case BERNOULLI -> Dropout.builder().optRate((float) spec.dropRatio()).build();
            case UOUT -> new UoutBlock((float) spec.uoutBeta());
        };
    }
}
