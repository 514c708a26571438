package io.varshift.trainer.evaluate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.alarm.Cusum;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.json.Json;
import io.varshift.trainer.progress.JobContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Realised false-alarm rates on clean unseen traffic: per traffic order and calibrated window size,
 * many windows composed from the unseen rows and judged against that size's null; per α the share of
 * windows whose model-level p-value is below α, with an exact 95 % interval, and the same for the
 * prediction-mix test (which should fire on skewed orders: that is label shift).
 *
 * <p>The windows of one split share two fixed samples, the calibration's and the unseen pool's, so
 * one split's rate carries their luck (at windows of 1000 anywhere from a third of α to a few α,
 * statistics.md). Every cell therefore pools several splits, each a calibration of its own judged on
 * its own unseen rows, and keeps each split's rate beside the pooled one.
 */
final class FalseAlarmEvaluation {

    /**
     * One (order, window size, α) cell.
     *
     * @param layerWindowRate share of (window, layer) pairs whose layer p-value is below α
     * @param momentTestRate the same for the layers' moment test alone
     * @param cellTestRate the same for the layers' cell score test alone
     */
    record Cell(TrafficOrder order, int windowSize, double alpha, BinomialInterval model,
            BinomialInterval predictionMix, double layerWindowRate, double momentTestRate, double cellTestRate,
            long[] splitAlarms, long windowsPerSplit) {

        /** Split s's own model-level rate. */
        double splitRate(int s) {
            return (double) splitAlarms[s] / windowsPerSplit;
        }

        /** The must-show's bound: the interval's upper end at most 2α. */
        boolean meetsUpperBound() {
            return model.upper() <= 2 * alpha;
        }

        /** The must-show's other side, for shuffled traffic: the rate at least α/2 (not needlessly deaf). */
        boolean atLeastHalfAlpha() {
            return model.rate() >= alpha / 2;
        }

        ObjectNode toJson() {
            ObjectNode o = Json.object();
            o.put("order", order.label());
            o.put("windowSize", windowSize);
            o.put("alpha", alpha);
            o.put("windows", model.trials());
            o.put("modelAlarms", model.successes());
            o.put("modelRate", model.rate());
            o.put("modelLower", model.lower());
            o.put("modelUpper", model.upper());
            o.put("meetsUpperBound", meetsUpperBound());
            if (order.kind() == TrafficOrder.Kind.SHUFFLED) {
                o.put("atLeastHalfAlpha", atLeastHalfAlpha());
            }
            o.put("predictionMixAlarms", predictionMix.successes());
            o.put("predictionMixRate", predictionMix.rate());
            o.put("predictionMixLower", predictionMix.lower());
            o.put("predictionMixUpper", predictionMix.upper());
            o.put("layerWindowRate", layerWindowRate);
            o.put("momentTestRate", momentTestRate);
            o.put("cellTestRate", cellTestRate);
            o.put("windowsPerSplit", windowsPerSplit);
            ArrayNode rates = o.putArray("splitRates");
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int sp = 0; sp < splitAlarms.length; sp++) {
                rates.add(splitRate(sp));
                min = Math.min(min, splitRate(sp));
                max = Math.max(max, splitRate(sp));
            }
            o.put("splitMinRate", min);
            o.put("splitMaxRate", max);
            return o;
        }
    }

    /**
     * One split: a calibration and the unseen rows it never saw.
     *
     * @param unseen rows the windows are composed from
     * @param calibration the model calibration their windows are judged against
     */
    record Split(MeasuredRows unseen, ModelCalibration calibration) {
    }

    /**
     * The cells, and per window size the model scores u of the first split's shuffled clean windows
     * (the CUSUM's warm-up in the power study, which uses that split).
     */
    record Result(List<Cell> cells, Map<Integer, double[]> shuffledScores) {
    }

    private FalseAlarmEvaluation() {
    }

    /**
     * @param splits at least one; every split's calibration has the same window sizes
     * @throws IllegalArgumentException when there is no split or their window sizes differ
     */
    static Result run(List<Split> splits, List<TrafficOrder> orders, EvaluationConfig config, JobContext context) {
        if (splits.isEmpty()) {
            throw new IllegalArgumentException("false-alarm evaluation: no split to evaluate");
        }
        List<Integer> sizes = splits.get(0).calibration().windowSizes();
        for (Split split : splits) {
            if (!split.calibration().windowSizes().equals(sizes)) {
                throw new IllegalArgumentException("false-alarm evaluation: splits calibrated for window sizes "
                        + sizes + " and " + split.calibration().windowSizes() + "; every split needs the same sizes");
            }
        }
        int largest = sizes.get(sizes.size() - 1);
        List<Counts> counts = new ArrayList<>();
        Map<Integer, double[]> shuffledScores = new LinkedHashMap<>();
        int done = 0;
        int total = splits.size() * sizes.size() * orders.size();
        for (int sp = 0; sp < splits.size(); sp++) {
            Split split = splits.get(sp);
            WindowComposer composer = new WindowComposer(split.unseen().labels());
            MeasuredRows.Judge judge = split.unseen().judge(split.calibration(), largest);
            int cell = 0;
            for (ModelCalibration.WindowNull nulls : split.calibration().windows()) {
                for (TrafficOrder order : orders) {
                    if (sp == 0) {
                        counts.add(new Counts(order, nulls.windowSize(), config.alphas().size(), splits.size()));
                    }
                    double[] scores = counts.get(cell++).add(sp, composer, judge, nulls, config);
                    if (sp == 0 && order.kind() == TrafficOrder.Kind.SHUFFLED) {
                        shuffledScores.put(nulls.windowSize(), scores);
                    }
                    context.progress((double) ++done / total, "false-alarm windows");
                }
            }
        }
        List<Cell> cells = new ArrayList<>();
        counts.forEach(c -> c.cells(config.alphas(), config.falseAlarmWindows(), cells));
        return new Result(cells, shuffledScores);
    }

    /** One (order, window size)'s alarm counts per α, summed over splits. */
    private static final class Counts {
        private final TrafficOrder order;
        private final int size;
        private final long[] modelAlarms;
        private final long[] mixAlarms;
        private final long[] layersOver;
        private final long[] momentsOver;
        private final long[] cellsOver;
        /** [α][split] */
        private final long[][] splitAlarms;
        private long windows;
        private long layerWindows;

        Counts(TrafficOrder order, int size, int alphas, int splits) {
            this.order = order;
            this.size = size;
            modelAlarms = new long[alphas];
            mixAlarms = new long[alphas];
            layersOver = new long[alphas];
            momentsOver = new long[alphas];
            cellsOver = new long[alphas];
            splitAlarms = new long[alphas][splits];
        }

        /** Judges one split's windows of this order and size; returns their model scores u. */
        double[] add(int split, WindowComposer composer, MeasuredRows.Judge judge, ModelCalibration.WindowNull nulls,
                EvaluationConfig config) {
            SplittableRandom random = new SplittableRandom(config.seed() ^ (31L * size + order.label().hashCode())
                    ^ (0x9E3779B97F4A7C15L * split));
            List<Double> alphas = config.alphas();
            int n = config.falseAlarmWindows();
            int[] window = new int[size];
            double[] scores = new double[n];
            for (int w = 0; w < n; w++) {
                composer.compose(order, size, random, window);
                ModelCalibration.Judgement j = judge.window(window, size, nulls);
                scores[w] = Cusum.score(j.modelP());
                layerWindows += j.layerP().length;
                for (int a = 0; a < alphas.size(); a++) {
                    double alpha = alphas.get(a);
                    boolean alarm = j.modelP() < alpha;
                    modelAlarms[a] += alarm ? 1 : 0;
                    splitAlarms[a][split] += alarm ? 1 : 0;
                    mixAlarms[a] += j.predictionMixP() < alpha ? 1 : 0;
                    for (int l = 0; l < j.layerP().length; l++) {
                        layersOver[a] += j.layerP()[l] < alpha ? 1 : 0;
                        momentsOver[a] += j.momentP()[l] < alpha ? 1 : 0;
                        cellsOver[a] += j.cellP()[l] < alpha ? 1 : 0;
                    }
                }
            }
            windows += n;
            return scores;
        }

        void cells(List<Double> alphas, int windowsPerSplit, List<Cell> into) {
            for (int a = 0; a < alphas.size(); a++) {
                into.add(new Cell(order, size, alphas.get(a), BinomialInterval.clopperPearson(modelAlarms[a], windows),
                        BinomialInterval.clopperPearson(mixAlarms[a], windows),
                        (double) layersOver[a] / layerWindows, (double) momentsOver[a] / layerWindows,
                        (double) cellsOver[a] / layerWindows, splitAlarms[a], windowsPerSplit));
            }
        }
    }
}
