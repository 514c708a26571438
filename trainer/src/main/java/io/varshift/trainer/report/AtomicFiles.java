package io.varshift.trainer.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.varshift.core.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Whole-file writes through a sibling temp file and an atomic rename: readers never see half a file. */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /**
     * @param what names the file in the error, e.g. "cell result"
     * @throws UncheckedIOException naming the file and the fix
     */
    public static void write(Path target, byte[] bytes, String what) {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.write(temp, bytes);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + what + " " + target + ": " + e.getMessage()
                    + "; check that the folder is writable", e);
        }
    }

    /** Indented JSON (non-finite numbers kept as NaN/Infinity), written as {@link #write}. */
    public static void writeJson(Path target, JsonNode json, String what) {
        write(target, pretty(json).getBytes(StandardCharsets.UTF_8), what);
    }

    /** Indented JSON text, non-finite numbers kept as NaN/Infinity: how every result file and job output reads. */
    public static String pretty(JsonNode json) {
        return Json.pretty(json);
    }
}
