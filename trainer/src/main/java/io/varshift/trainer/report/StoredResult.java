package io.varshift.trainer.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.varshift.core.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** A results file a command wrote, read back so that its report can be rewritten without re-running it. */
public final class StoredResult {

    private StoredResult() {
    }

    /**
     * The file's JSON object, which must hold every one of {@code fields}.
     *
     * @param command the command that writes such files, e.g. "evaluate-alarms"
     * @param fileName the name it gives them, e.g. "alarms.json"
     * @throws UncheckedIOException when the file cannot be read
     * @throws IllegalArgumentException when it is not JSON, or not that command's result
     */
    public static JsonNode read(Path file, String command, String fileName, String... fields) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        JsonNode json;
        try {
            json = Json.parse(text);
        } catch (IllegalArgumentException notJson) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + notJson.getMessage(), notJson);
        }
        if (!json.isObject() || !Arrays.stream(fields).allMatch(json::has)) {
            String article = "aeiou".indexOf(command.charAt(0)) >= 0 ? "an" : "a";
            throw new IllegalArgumentException(file + " is not " + article + " " + command + " result (no "
                    + Arrays.stream(fields).map(f -> "'" + f + "'").collect(Collectors.joining(" or ")) + "); give the "
                    + fileName + " that " + command + " wrote");
        }
        return json;
    }
}
