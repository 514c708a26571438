package io.varshift.trainer.evaluate;

import com.google.gson.JsonObject;
import io.varshift.core.alarm.Cusum;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.trainer.jobs.JobContext;

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
            BinomialInterval predictionMix, double layerWindowRate, double momentTestRate, double cellTestRate) {

        /** The must-show's bound: the interval's upper end at most 2α. */
        boolean meetsUpperBound() {
            return model.upper() <= 2 * alpha;
        }

        /** The must-show's other side, for shuffled traffic: the rate at least α/2 (not needlessly deaf). */
        boolean atLeastHalfAlpha() {
            return model.rate() >= alpha / 2;
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("order", order.label());
            o.addProperty("windowSize", windowSize);
            o.addProperty("alpha", alpha);
            o.addProperty("windows", model.trials());
            o.addProperty("modelAlarms", model.successes());
            o.addProperty("modelRate", model.rate());
            o.addProperty("modelLower", model.lower());
            o.addProperty("modelUpper", model.upper());
            o.addProperty("meetsUpperBound", meetsUpperBound());
            if (order.kind() == TrafficOrder.Kind.SHUFFLED) {
                o.addProperty("atLeastHalfAlpha", atLeastHalfAlpha());
            }
            o.addProperty("predictionMixAlarms", predictionMix.successes());
            o.addProperty("predictionMixRate", predictionMix.rate());
            o.addProperty("predictionMixLower", predictionMix.lower());
            o.addProperty("predictionMixUpper", predictionMix.upper());
            o.addProperty("layerWindowRate", layerWindowRate);
            o.addProperty("momentTestRate", momentTestRate);
            o.addProperty("cellTestRate", cellTestRate);
            return o;
        }
    }

    /** The cells, and per window size the model scores u of the shuffled clean windows (the CUSUM's warm-up). */
    record Result(List<Cell> cells, Map<Integer, double[]> shuffledScores) {
    }

    private FalseAlarmEvaluation() {
    }

    static Result run(MeasuredRows rows, ModelCalibration calibration, List<TrafficOrder> orders,
            EvaluationConfig config, JobContext context) {
        WindowComposer composer = new WindowComposer(rows.labels());
        int largest = calibration.windowSizes().get(calibration.windowSizes().size() - 1);
        MeasuredRows.Judge judge = rows.judge(calibration, largest);
        int[] window = new int[largest];
        int windows = config.falseAlarmWindows();
        List<Double> alphas = config.alphas();
        List<Cell> cells = new ArrayList<>();
        Map<Integer, double[]> shuffledScores = new LinkedHashMap<>();
        int done = 0;
        int total = calibration.windows().size() * orders.size();
        for (ModelCalibration.WindowNull nulls : calibration.windows()) {
            int size = nulls.windowSize();
            for (TrafficOrder order : orders) {
                SplittableRandom random = new SplittableRandom(config.seed() ^ (31L * size + order.label().hashCode()));
                long[] modelAlarms = new long[alphas.size()];
                long[] mixAlarms = new long[alphas.size()];
                long[] layersOver = new long[alphas.size()];
                long[] momentsOver = new long[alphas.size()];
                long[] cellsOver = new long[alphas.size()];
                double[] scores = new double[windows];
                int layers = 0;
                for (int w = 0; w < windows; w++) {
                    composer.compose(order, size, random, window);
                    ModelCalibration.Judgement j = judge.window(window, size, nulls);
                    layers = j.layerP().length;
                    scores[w] = Cusum.score(j.modelP());
                    for (int a = 0; a < alphas.size(); a++) {
                        double alpha = alphas.get(a);
                        modelAlarms[a] += j.modelP() < alpha ? 1 : 0;
                        mixAlarms[a] += j.predictionMixP() < alpha ? 1 : 0;
                        for (int l = 0; l < j.layerP().length; l++) {
                            layersOver[a] += j.layerP()[l] < alpha ? 1 : 0;
                            momentsOver[a] += j.momentP()[l] < alpha ? 1 : 0;
                            cellsOver[a] += j.cellP()[l] < alpha ? 1 : 0;
                        }
                    }
                }
                for (int a = 0; a < alphas.size(); a++) {
                    cells.add(new Cell(order, size, alphas.get(a),
                            BinomialInterval.clopperPearson(modelAlarms[a], windows),
                            BinomialInterval.clopperPearson(mixAlarms[a], windows),
                            (double) layersOver[a] / ((long) windows * layers),
                            (double) momentsOver[a] / ((long) windows * layers),
                            (double) cellsOver[a] / ((long) windows * layers)));
                }
                if (order.kind() == TrafficOrder.Kind.SHUFFLED) {
                    shuffledScores.put(size, scores);
                }
                context.progress((double) ++done / total, "false-alarm windows");
            }
        }
        return new Result(cells, shuffledScores);
    }
}
