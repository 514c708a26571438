package io.varshift.trainer.experiment;

import io.varshift.trainer.report.AtomicFiles;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.text.DecimalFormat;

/** The report's PNG charts (JFreeChart line charts over categories). */
final class ReproductionCharts {

    static final int WIDTH = 900;
    static final int HEIGHT = 500;

    /**
     * Okabe and Ito's colour-blind-safe palette, dark enough on white (JFreeChart's default puts a
     * light yellow in the fourth place); it repeats past eight series.
     */
    private static final Color[] PALETTE = {new Color(0x00, 0x00, 0x00), new Color(0x00, 0x72, 0xB2),
        new Color(0xD5, 0x5E, 0x00), new Color(0x00, 0x9E, 0x73), new Color(0xCC, 0x79, 0xA7),
        new Color(0x56, 0xB4, 0xE9), new Color(0xE6, 0x9F, 0x00), new Color(0x99, 0x99, 0x99)};

    private ReproductionCharts() {
    }

    /** One line per series over the categories of {@code data}, log-scaled y axis; written atomically. */
    static void lineChart(Path file, String title, String xLabel, String yLabel, DefaultCategoryDataset data) {
        JFreeChart chart = ChartFactory.createLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true,
                false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        // Shifts span 1 to tens; a log axis keeps the small drop ratios readable.
        LogAxis axis = new LogAxis(yLabel);
        axis.setBase(2);
        axis.setTickUnit(new NumberTickUnit(1));
        axis.setNumberFormatOverride(new DecimalFormat("0.#"));
        plot.setRangeAxis(axis);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.GRAY);
        LineAndShapeRenderer lines = (LineAndShapeRenderer) plot.getRenderer();
        lines.setDefaultShapesVisible(true);
        for (int series = 0; series < data.getRowCount(); series++) {
            lines.setSeriesPaint(series, PALETTE[series % PALETTE.length]);
            lines.setSeriesStroke(series, new BasicStroke(2f));
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(png, chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render chart " + file + ": " + e.getMessage(), e);
        }
        AtomicFiles.write(file, png.toByteArray(), "chart");
    }
}
