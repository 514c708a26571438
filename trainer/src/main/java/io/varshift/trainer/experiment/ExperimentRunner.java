package io.varshift.trainer.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.core.json.Json;
import io.varshift.core.spec.ModelSpec.Architecture;
import io.varshift.core.spec.ModelSpec.DropoutKind;
import io.varshift.core.spec.ModelSpec.DropoutPlacement;
import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.progress.JobCancelledException;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.report.AtomicFiles;
import io.varshift.trainer.training.TrainingMetrics;
import io.varshift.trainer.training.TrainingService;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Runs a sweep resumably: every finished cell is a JSON file under
 * {@code <out>/cells/<settings fingerprint>/<cell key>.json} and is never recomputed; a cell whose
 * expected duration no longer fits the time budget is not started, and one that overruns is cancelled
 * at its next batch. Progress and an ETA go to the log stream.
 */
final class ExperimentRunner {

    /** A frozen-weights theory check of one architecture, width, placement and drop ratio. */
    record Controlled(Architecture architecture, int width, DropoutPlacement placement, double dropRatio,
                      List<CellResult.TheoryRow> rows) {
    }

    /** What exists after a run: results by cell in config order, the cells still missing, and why. */
    record Outcome(Map<Cell, CellResult> results, List<Cell> missing, List<Controlled> controlled, int computed,
                   boolean budgetSpent, double computeSeconds, List<Run> runs) {
    }

    /**
     * One run that trained cells, as {@code runs.json} beside the cells records it.
     *
     * @param wallMinutes from the run's start to its last stored cell
     */
    record Run(String started, double budgetMinutes, int cells, double wallMinutes) {
    }

    static final String RUNS_FILE = "runs.json";

    private final ExperimentConfig config;
    private final Path cellDir;
    private final Path dataDir;
    private final PrintStream log;
    private final LongSupplier nanoClock;

    ExperimentRunner(ExperimentConfig config, Path outDir, Path dataDir, PrintStream log, LongSupplier nanoClock) {
        this.config = config;
        this.cellDir = outDir.resolve("cells").resolve(config.settingsFingerprint());
        this.dataDir = dataDir;
        this.log = log;
        this.nanoClock = nanoClock;
    }

    Path cellDir() {
        return cellDir;
    }

    /** Reads what exists without computing anything ({@code --report-only}). */
    Outcome collect() {
        Map<Cell, CellResult> results = new LinkedHashMap<>();
        List<Cell> missing = new ArrayList<>();
        double seconds = 0;
        for (Cell cell : config.cells()) {
            CellResult r = read(cellFile(cell));
            if (r == null) {
                missing.add(cell);
            } else {
                results.put(cell, r);
                seconds += r.seconds();
            }
        }
        List<Controlled> controlled = new ArrayList<>();
        for (Controlled c : controlledCells()) {
            List<CellResult.TheoryRow> rows = readControlled(c);
            if (rows != null) {
                controlled.add(new Controlled(c.architecture(), c.width(), c.placement(), c.dropRatio(), rows));
            }
        }
        return new Outcome(results, missing, controlled, 0, !missing.isEmpty(), seconds, readRuns());
    }

    /** The runs recorded so far; an unreadable file reads as none (it only feeds the report's run count). */
    private List<Run> readRuns() {
        JsonNode json = readJsonArray(cellDir.resolve(RUNS_FILE));
        List<Run> runs = new ArrayList<>();
        for (JsonNode r : json) {
            runs.add(new Run(r.path("started").asText(), r.path("budgetMinutes").asDouble(), r.path("cells").asInt(),
                    r.path("wallMinutes").asDouble()));
        }
        return runs;
    }

    private JsonNode readJsonArray(Path file) {
        if (!Files.isRegularFile(file)) {
            return Json.array();
        }
        try {
            JsonNode json = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            return json.isArray() ? json : Json.array();
        } catch (IOException | RuntimeException e) {
            log.printf("ignoring %s (%s)%n", file, e.getMessage());
            return Json.array();
        }
    }

    /**
     * Records this run in {@code runs.json} as entry {@code index}, rewritten after every stored cell so
     * that a run stopped from outside still counts the cells it stored.
     */
    private void recordRun(int index, Instant started, Duration budget, int cells, long startNanos) {
        Path file = cellDir.resolve(RUNS_FILE);
        ArrayNode runs = (ArrayNode) readJsonArray(file);
        if (runs.isEmpty() && index > 0 && Files.exists(file)) {
            // Unreadable since this run began: keep it aside rather than overwrite the history.
            try {
                Files.move(file, file.resolveSibling(RUNS_FILE + ".unreadable"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                log.printf("cannot keep %s aside (%s)%n", file, e.getMessage());
            }
        }
        ObjectNode run = Json.object();
        run.put("started", started.truncatedTo(ChronoUnit.SECONDS).toString());
        run.put("budgetMinutes", budget.toSeconds() / 60.0);
        run.put("cells", cells);
        run.put("wallMinutes", Math.round((nanoClock.getAsLong() - startNanos) / 6e8) / 100.0);
        if (index < runs.size()) {
            runs.set(index, run);
        } else {
            runs.add(run);
        }
        write(cellDir.resolve(RUNS_FILE), runs);
    }

    /** Computes the missing controlled checks and cells within {@code budget}, then {@link #collect()}s. */
    Outcome run(Duration budget) {
        Instant startedAt = Instant.now();
        long start = nanoClock.getAsLong();
        long deadline = start + budget.toNanos();
        JobContext context = new JobContext() {
            @Override
            public void progress(double fraction, String phase) {
            }

            @Override
            public void checkCancelled() {
                if (nanoClock.getAsLong() > deadline) {
                    throw new JobCancelledException();
                }
            }
        };
        boolean spent = false;
        int computed = 0;
        int runIndex = readRuns().size();
        try {
            runControlled(context);
            long cellsStart = nanoClock.getAsLong();
            CellRunner runner = null;
            List<Cell> todo = config.cells().stream().filter(c -> read(cellFile(c)) == null).toList();
            log.printf(Locale.ROOT, "experiment %s: %d cells, %d done, %d to run (cells in %s)%n", config.name(),
                    config.cells().size(), config.cells().size() - todo.size(), todo.size(), cellDir);
            for (Cell cell : todo) {
                long now = nanoClock.getAsLong();
                double average = computed == 0 ? 0 : (now - cellsStart) / (double) computed;
                if (now + average > deadline) {
                    spent = true;
                    break;
                }
                if (runner == null) {
                    runner = new CellRunner(config, new TrainingService(dataDir,
                            new TrainingMetrics(new SimpleMeterRegistry())), dataDir);
                }
                log.printf(Locale.ROOT, "[%d/%d] %s ...%n", computed + 1, todo.size(), cell.key());
                CellResult result = runner.run(cell, context);
                write(cellFile(cell), result.toJson());
                computed++;
                recordRun(runIndex, startedAt, budget, computed, start);
                double perCell = (nanoClock.getAsLong() - cellsStart) / 1e9 / computed;
                log.printf(Locale.ROOT, "[%d/%d] %s: held-out error %.2f%% -> %.2f%% after Adjust BN, max variance"
                                + " shift %.3f -> %.3f (%.0f s); ETA %s%n", computed, todo.size(), cell.key(),
                        100 * result.before().heldOutError(), 100 * result.after().heldOutError(),
                        result.before().maxHeldOutShift(), result.after().maxHeldOutShift(), result.seconds(),
                        minutes(perCell * (todo.size() - computed)));
            }
        } catch (JobCancelledException e) {
            spent = true;
        }
        if (spent) {
            log.printf(Locale.ROOT, "experiment %s: time budget of %s spent after %d new cells; run again to"
                    + " continue%n", config.name(), minutes(budget.toSeconds()), computed);
        }
        Outcome collected = collect();
        return new Outcome(collected.results(), collected.missing(), collected.controlled(), computed, spent,
                collected.computeSeconds(), collected.runs());
    }

    private void runControlled(JobContext context) {
        ExperimentConfig.Controlled settings = config.controlled();
        List<Controlled> todo = controlledCells().stream().filter(c -> readControlled(c) == null).toList();
        if (todo.isEmpty()) {
            return;
        }
        ImageSet images = TrainingService.limit(FashionMnist.in(dataDir).train(),
                settings.samples());
        for (Controlled c : todo) {
            context.checkCancelled();
            ModelSpec spec = ModelSpec.fashionMnist(c.architecture()).optWidth(c.width())
                    .optBlocks(config.blocks()).optDropout(c.placement(), DropoutKind.BERNOULLI)
                    .optDropRatio(c.dropRatio()).optSeed(config.seeds().get(0)).build();
            List<CellResult.TheoryRow> rows = ControlledCheck.run(spec, images, settings.batches(),
                    Math.min(config.batchSize() * 2, settings.samples()));
            ObjectNode json = Json.object();
            json.put("format", CellResult.FORMAT);
            json.set("theory", CellResult.theoryJson(rows));
            write(controlledFile(c), json);
            log.printf(Locale.ROOT, "controlled check %s width %d %s drop %.2f: %s%n", c.architecture().id(),
                    c.width(), c.placement().id(), c.dropRatio(), rows.stream().map(r -> String.format(Locale.ROOT,
                            "%s measured %.3f theory %.3f", r.layer(), r.measuredDelta(), r.theoryDelta())).toList());
        }
    }

    /**
     * Dropout before BN in every architecture; dropout before the conv only in ConvNet (see TheoryCheck);
     * and the width sweep's Dropout-(b) at each of its other widths, so that Eq. 14 is also checked
     * with frozen weights.
     */
    List<Controlled> controlledCells() {
        List<Controlled> out = new ArrayList<>();
        for (Architecture a : config.architectures()) {
            for (double ratio : config.controlled().dropRatios()) {
                out.add(new Controlled(a, config.width(), DropoutPlacement.BEFORE_BN, ratio, List.of()));
                if (a == Architecture.CONVNET) {
                    out.add(new Controlled(a, config.width(), DropoutPlacement.BEFORE_CONV, ratio, List.of()));
                }
            }
        }
        ExperimentConfig.WidthSweep sweep = config.widthSweep();
        for (int w : sweep.widths()) {
            Controlled c = new Controlled(Architecture.CONVNET, w, DropoutPlacement.BEFORE_CONV, sweep.dropRatio(),
                    List.of());
            if (!out.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    private Path cellFile(Cell cell) {
        return cellDir.resolve(cell.key() + ".json");
    }

    private Path controlledFile(Controlled c) {
        ExperimentConfig.Controlled s = config.controlled();
        return cellDir.resolve(String.format(Locale.ROOT,
                "controlled_%s_w%d_%s_drop%.2f_samples%d_batches%d_seed%d.json", c.architecture().id(), c.width(),
                c.placement().id(), c.dropRatio(), s.samples(), s.batches(),
                config.seeds().get(0)));
    }

    /** The stored check's rows, or null when absent or unreadable (then the check is computed again). */
    private List<CellResult.TheoryRow> readControlled(Controlled c) {
        JsonNode json = readJson(controlledFile(c));
        if (json == null) {
            return null;
        }
        try {
            return CellResult.theoryFromJson(json.get("theory"));
        } catch (RuntimeException e) {
            log.printf("ignoring %s (%s); it will be recomputed%n", controlledFile(c), e.getMessage());
            return null;
        }
    }

    /** The stored result, or null when absent or unreadable (then the cell is computed again). */
    private CellResult read(Path file) {
        JsonNode json = readJson(file);
        if (json == null) {
            return null;
        }
        try {
            return CellResult.fromJson(json);
        } catch (RuntimeException e) {
            log.printf("ignoring %s (%s); it will be recomputed%n", file, e.getMessage());
            return null;
        }
    }

    private JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode json = Json.parseObject(Files.readString(file, StandardCharsets.UTF_8));
            return json.has("format") && json.get("format").asInt() == CellResult.FORMAT ? json : null;
        } catch (IOException | RuntimeException e) {
            log.printf("ignoring %s (%s); it will be recomputed%n", file, e.getMessage());
            return null;
        }
    }

    private static void write(Path file, JsonNode json) {
        AtomicFiles.writeJson(file, json, "experiment result");
    }

    private static String minutes(double seconds) {
        return seconds < 90 ? String.format(Locale.ROOT, "%.0f s", seconds)
                : String.format(Locale.ROOT, "%.1f min", seconds / 60);
    }
}
