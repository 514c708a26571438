package io.varshift.stack.quickstart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import io.varshift.stack.StackException;

/** PNG: the paper's variance ratio (live / stored) per BN layer over windows, shift onset marked. */
final class TimelineChart {

    private TimelineChart() {
    }

    static Path write(Timeline timeline, String model, Path png) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (String layer : timeline.layerNames()) {
            XYSeries series = new XYSeries(layer);
            for (Timeline.Window w : timeline.windows()) {
                w.layers().stream().filter(l -> l.layer().equals(layer) && Double.isFinite(l.varianceRatio()))
                        .forEach(l -> series.add(w.number(), l.varianceRatio()));
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Variance ratio live/stored per BN layer, model " + model,
                "window", "variance ratio (1 = as in training)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.addRangeMarker(new ValueMarker(1.0, Color.DARK_GRAY, new BasicStroke(1.0f)));
        plot.getDomainAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        Color[] palette = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd),
            new Color(0xff7f0e), new Color(0x8c564b), new Color(0x17becf), new Color(0x7f7f7f)};
        for (int i = 0; i < data.getSeriesCount(); i++) {
            plot.getRenderer().setSeriesPaint(i, palette[i % palette.length]);
            plot.getRenderer().setSeriesStroke(i, new BasicStroke(2.0f));
        }
        long onset = timeline.onsetWindow();
        if (onset >= 0) {
            ValueMarker marker = new ValueMarker(onset - 0.5, Color.RED, new BasicStroke(2.0f));
            marker.setLabel("shift on");
            plot.addDomainMarker(marker);
        }
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 560);
            return png;
        } catch (IOException e) {
            throw new StackException("cannot write chart " + png + ": " + e.getMessage(), e);
        }
    }
}
