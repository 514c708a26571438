package io.varshift.trainer.experiment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import io.varshift.core.data.BatchFeeder;
import io.varshift.core.data.ImageSet;
import io.varshift.core.model.UoutBlock;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.probe.ProbedBatchNorm;
import io.varshift.core.spec.ModelSpec.DropoutKind;
import io.varshift.core.spec.ModelSpec.DropoutPlacement;
import io.varshift.core.spec.ModelSpec;
import io.varshift.core.theory.VarianceShiftTheory;
import io.varshift.trainer.report.DropoutTheory;
import io.varshift.trainer.report.ShiftMeasurement;

import java.util.ArrayList;
import java.util.List;

/**
 * The paper's theory against the measured shift of a model, both from eval-mode passes over
 * training data. Measured Δ of a BN layer = Σ_c real variance / Σ_c moving variance (the paper's
 * channel-averaged statistic); the theory is aggregated the same way: Σ_c Var_test,c / Σ_c Var_train,c.
 */
final class TheoryCheck {

    private TheoryCheck() {
    }

    /**
     * Dropout directly before BN (the layers the spec's block feeds from a dropout, see
     * {@link ShiftMeasurement}): in eval mode the BN input IS the dropout input, so its per-channel mean c
     * and variance v come from the BN probe, and Var_train,c is Eq. (7) (or its Uout analogue); with one
     * channel this is Eq. (8). Measured Δ is the layer's ratio on training data.
     */
    static List<CellResult.TheoryRow> beforeBn(ShiftMeasurement.Measured measured) {
        return measured.layers().stream().filter(l -> l.theory() != null)
                .map(l -> CellResult.TheoryRow.direct(l.layer(), l.onTrain().varianceRatio(), l.theory().delta()))
                .toList();
    }

    /**
     * E[noise²]/E[x²] of the dropout: X_train = x + x·(a/p − 1) has E[(a/p − 1)²] = (1 − p)/p; Uout's
     * x·r has E[r²] = β²/3.
     */
    static double noiseFactor(ModelSpec spec) {
        return spec.dropoutKind() == DropoutKind.BERNOULLI
                ? (1 - spec.retainRatio()) / spec.retainRatio()
                : spec.uoutBeta() * spec.uoutBeta() / 3;
    }

    /**
     * Dropout, then a convolution of fan-in d, then BN (ConvNet with placement before-conv). Eq. (12)
     * minus Eq. (13): the masks add zero-mean noise independent of x, so Var_train,j = Var_test,j +
     * ((1 − p)/p)·E[Σᵢ wⱼᵢ²xᵢ²]; the ρ·(d·cos²θ − 1) term is common to both and is taken from the measured
     * eval-mode variance. E[Σᵢ wⱼᵢ²xᵢ²] is the mean of conv(x², w²) (padding included, so it is exact at
     * the border too). Also reported: d·cos²θ (Table 1) and Eq. (8) for the dropout's own input.
     * PreResNet is not covered: there the conv output enters a residual sum, not a BN directly.
     */
    static List<CellResult.TheoryRow> beforeConv(ModelSpec spec, Block block, BnProbes probes, NDManager manager,
                                                 ImageSet data, int batchSize) {
        List<CellResult.TheoryRow> rows = new ArrayList<>();
        if (spec.dropoutPlacement() != DropoutPlacement.BEFORE_CONV || !(block instanceof SequentialBlock)) {
            return rows;
        }
        List<Block> layers = new ArrayList<>(block.getChildren().values());
        List<Site> sites = new ArrayList<>();
        for (int k = 0; k + 2 < layers.size(); k++) {
            if (isDropout(layers.get(k)) && layers.get(k + 1) instanceof Conv2d conv
                    && layers.get(k + 2) instanceof ProbedBatchNorm bn) {
                sites.add(new Site(k, conv, bn));
            }
        }
        if (sites.isEmpty()) {
            return rows;
        }
        ParameterStore store = new ParameterStore(manager, false);
        BatchFeeder feeder = new BatchFeeder(batchSize, data.sampleShape());
        for (int from = 0; from < data.size(); from += batchSize) {
            int to = Math.min(data.size(), from + batchSize);
            try (NDManager batch = manager.newSubManager()) {
                NDList x = new NDList(feeder.images(batch, data, from, to));
                int next = 0;
                for (int k = 0; k < layers.size() && next < sites.size(); k++) {
                    if (k == sites.get(next).dropoutIndex()) {
                        sites.get(next).add(store, x.singletonOrThrow());
                        next++;
                    }
                    x = layers.get(k).forward(store, x, false);
                }
            }
        }
        double factor = noiseFactor(spec);
        for (Site s : sites) {
            int layer = probes.layerNames().indexOf(s.bn().layerName());
            rows.add(s.row(spec, factor, sum(probes.runningVar(layer))));
        }
        return rows;
    }

    private static boolean isDropout(Block b) {
        return b instanceof Dropout || b instanceof UoutBlock;
    }

    static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }

    /**
     * Eq. (14) over the output channels j of one conv, aggregated as the measured Δ is:
     * Σⱼ Var_test,j / Σⱼ Var_train,j with Var_test,j = ‖wⱼ‖²·v(1 + ρ(dⱼcos²θⱼ − 1)) and
     * Var_train,j = Var_test,j + ‖wⱼ‖²·factor·(c² + v), where factor = E[noise²]/E[x²] of the dropout
     * ((1 − p)/p for Bernoulli, so that the denominator is the paper's (c² + v)/p − c² + vρ(d·cos²θ − 1)).
     *
     * @param v the mean input variance (the paper's v)
     * @param meanSquare the mean E[x²] (the paper's c² + v)
     * @param squaredNorms ‖wⱼ‖² per output channel
     * @param dCos2 dⱼ·cos²θⱼ per output channel
     */
    static double eq14(double v, double meanSquare, double rho, double factor, double[] squaredNorms,
                       double[] dCos2) {
        double test = 0;
        double train = 0;
        for (int j = 0; j < squaredNorms.length; j++) {
            double t = squaredNorms[j] * v * (1 + rho * (dCos2[j] - 1));
            test += t;
            train += t + squaredNorms[j] * factor * meanSquare;
        }
        return test / train;
    }

    /** Running sums at one dropout → conv → BN site, in double precision. */
    private static final class Site {
        private final int dropoutIndex;
        private final Conv2d conv;
        private final ProbedBatchNorm bn;
        private final ReceptiveField input;
        private double[] outSum;
        private double[] outSquares;
        private double[] noise;
        private double[] dCos2;
        private double[] squaredNorms;
        private int fanIn;
        private long outCount;

        Site(int dropoutIndex, Conv2d conv, ProbedBatchNorm bn) {
            this.dropoutIndex = dropoutIndex;
            this.conv = conv;
            this.bn = bn;
            this.input = new ReceptiveField(conv.getKernelShape());
        }

        int dropoutIndex() {
            return dropoutIndex;
        }

        ProbedBatchNorm bn() {
            return bn;
        }

        void add(ParameterStore store, NDArray x) {
            NDArray w = store.getValue(conv.getParameters().get("weight"), x.getDevice(), false);
            NDArray y = Conv2d.conv2d(x, w, null, conv.getStride(), conv.getPadding(), conv.getDilation(),
                    conv.getGroups()).singletonOrThrow();
            NDArray n = Conv2d.conv2d(x.square(), w.square(), null, conv.getStride(), conv.getPadding(),
                    conv.getDilation(), conv.getGroups()).singletonOrThrow();
            if (outSum == null) {
                init(w);
            }
            input.add(x);
            outCount += y.size() / y.getShape().get(1);
            ReceptiveField.accumulate(outSum, y.sum(new int[] {0, 2, 3}));
            ReceptiveField.accumulate(outSquares, y.square().sum(new int[] {0, 2, 3}));
            ReceptiveField.accumulate(noise, n.sum(new int[] {0, 2, 3}));
        }

        private void init(NDArray w) {
            int out = Math.toIntExact(w.getShape().get(0));
            outSum = new double[out];
            outSquares = new double[out];
            noise = new double[out];
            dCos2 = new double[out];
            squaredNorms = new double[out];
            float[] weights = w.toFloatArray();
            fanIn = weights.length / out;
            for (int j = 0; j < out; j++) {
                double[] wj = new double[fanIn];
                for (int i = 0; i < fanIn; i++) {
                    wj[i] = weights[j * fanIn + i];
                    squaredNorms[j] += wj[i] * wj[i];
                }
                dCos2[j] = fanIn * VarianceShiftTheory.cos2Theta(wj);
            }
        }

        CellResult.TheoryRow row(ModelSpec spec, double factor, double movingVarianceSum) {
            double test = 0;
            double train = 0;
            double dCos2Sum = 0;
            for (int j = 0; j < outSum.length; j++) {
                double mean = outSum[j] / outCount;
                double var = outSquares[j] / outCount - mean * mean;
                test += var;
                train += var + factor * noise[j] / outCount;
                dCos2Sum += dCos2[j];
            }
            double directTest = 0;
            double directTrain = 0;
            for (int i = 0; i < input.channels(); i++) {
                double c = input.mean(i);
                double v = input.variance(i);
                if (v > 0) {
                    directTest += v;
                    directTrain += DropoutTheory.trainVariance(spec, c, v);
                }
            }
            double rho = input.meanCorrelation();
            double eq14 = eq14(input.meanVariance(), input.meanSquare(), rho, factor, squaredNorms, dCos2);
            return new CellResult.TheoryRow(bn.layerName(), "12", test / movingVarianceSum, test / train,
                    dCos2Sum / outSum.length, directTrain > 0 ? directTest / directTrain : Double.NaN, fanIn, rho,
                    eq14);
        }
    }
}
