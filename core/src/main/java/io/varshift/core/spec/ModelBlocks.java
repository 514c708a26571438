package io.varshift.core.spec;

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
 * Dropout: BEFORE_BN right before each {@code bn2}; BEFORE_CONV before each block's last conv;
 * AFTER_BN once before the Linear.
 */
public final class ModelBlocks {

    private ModelBlocks() {
    }

    /** A fresh, uninitialised block for the spec. */
    public static Block build(ModelSpec spec) {
        return switch (spec.architecture()) {
            case CONVNET -> convNet(spec);
            case PRERESNET -> preResNet(spec);
        };
    }

    /** The BN layer names of the spec's block in forward order (as in reference.json). */
    public static List<String> bnLayerNames(ModelSpec spec) {
        return BnProbes.find(build(spec)).stream().map(ProbedBatchNorm::layerName).toList();
    }

    private static Block convNet(ModelSpec spec) {
        SequentialBlock net = new SequentialBlock();
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
        SequentialBlock net = new SequentialBlock();
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
            Block shortcut = b == 1
                    ? Blocks.identityBlock()
                    : Conv2d.builder().setFilters(channels).setKernelShape(new Shape(1, 1))
                            .optStride(new Shape(stride, stride)).optBias(false).build();
            net.add(new ParallelBlock(ModelBlocks::sum, List.of(main, shortcut)));
        }
        net.add(bn("head.bn"));
        net.add(Activation.reluBlock());
        net.add(Pool.globalAvgPool2dBlock());
        addDropoutIf(net, spec, DropoutPlacement.AFTER_BN);
        net.add(Linear.builder().setUnits(spec.classes().size()).build());
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
