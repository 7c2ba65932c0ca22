package org.uring4j.cli.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/** Draws IOPS against queue depth, one line per engine, into a PNG (XChart). */
final class SweepPlot {
    private SweepPlot() {
    }

    static void write(Path png, BenchSpec base, Map<Engine.Kind, List<BenchResult>> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title(String.format("%s %s%s, %d thread(s): IOPS by queue depth", BenchCommand.human(base.bs()),
                        base.rw().fio(), base.direct() ? " O_DIRECT" : " page cache", base.threads()))
                .xAxisTitle("queue depth").yAxisTitle("IOPS").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(6);
        for (var e : series.entrySet()) {
            double[] x = e.getValue().stream().mapToDouble(r -> r.spec().qd()).toArray();
            double[] y = e.getValue().stream().mapToDouble(BenchResult::iops).toArray();
            chart.addSeries(e.getKey().label(), x, y);
        }
        String name = png.toString();
        BitmapEncoder.saveBitmap(chart, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
                BitmapEncoder.BitmapFormat.PNG);
    }
}
