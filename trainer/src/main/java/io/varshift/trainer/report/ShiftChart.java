package io.varshift.trainer.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A bar chart per BN layer: real/moving variance ratio on training and held-out data, and the theory. */
final class ShiftChart {

    static final int WIDTH = 1000;
    static final int HEIGHT = 500;

    private ShiftChart() {
    }

    static byte[] png(ShiftReport report) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (LayerShift l : report.layers()) {
            data.addValue(l.onTrain().varianceRatio(), "real/moving, training data", l.layer());
            data.addValue(l.onHeldOut().varianceRatio(), "real/moving, held-out data", l.layer());
            data.addValue(l.theory() == null ? null : l.theory().delta(), "theory Δ (dropout before BN)", l.layer());
        }
        JFreeChart chart = ChartFactory.createBarChart(
                "Variance shift of " + report.model() + " v" + report.version(), "BN layer",
                "variance ratio real / moving (1 = no shift)", data, PlotOrientation.VERTICAL, true, false, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the report chart: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }
}
