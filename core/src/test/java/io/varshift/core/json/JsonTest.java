package io.varshift.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The text Varshift writes: the layout and escapes of the files written before Jackson (by Gson). */
class JsonTest {

    private static ObjectNode sample() {
        ObjectNode o = Json.object();
        o.put("formatVersion", 1);
        o.put("ratio", 0.3);
        o.put("tiny", 1.0e-5);
        o.put("single", 0.1f);
        o.put("seed", 1234567890123L);
        o.put("loss", Double.NaN);
        o.put("norm", Double.NEGATIVE_INFINITY);
        o.putArray("shape").add(1).add(28).add(28);
        o.putObject("empty");
        o.putArray("none");
        o.putArray("layers").addObject().put("name", "bn1").putNull("calibration");
        o.put("text", "<a href='x'>&amp;</a> \"q\" \\ \t\n\u0001 \u2028 caf\u00e9 \uD83D\uDE00");
        return o;
    }

    @Test
    void prettyTextHasTheLayoutOfEarlierFiles() {
        assertThat(Json.pretty(sample())).isEqualTo("""
                {
                  "formatVersion": 1,
                  "ratio": 0.3,
                  "tiny": 1.0E-5,
                  "single": 0.1,
                  "seed": 1234567890123,
                  "loss": NaN,
                  "norm": -Infinity,
                  "shape": [
                    1,
                    28,
                    28
                  ],
                  "empty": {},
                  "none": [],
                  "layers": [
                    {
                      "name": "bn1",
                      "calibration": null
                    }
                  ],
                  "text": "<a href='x'>&amp;</a> \\"q\\" \\\\ \\t\\n\\u0001 \\u2028 caf\u00e9 \uD83D\uDE00"
                }""");
    }

    @Test
    void compactTextIsOneLineAndBytesAreItsUtf8() throws Exception {
        String compact = Json.compact(sample());
        assertThat(compact).startsWith("{\"formatVersion\":1,\"ratio\":0.3,\"tiny\":1.0E-5,\"single\":0.1,")
                .contains("\"loss\":NaN,\"norm\":-Infinity,\"shape\":[1,28,28],\"empty\":{},\"none\":[]")
                .doesNotContain("\n");
        assertThat(Json.mapper().writeValueAsBytes(sample())).isEqualTo(compact.getBytes(StandardCharsets.UTF_8));
        assertThat(Json.prettyWriter().writeValueAsBytes(sample()))
                .isEqualTo(Json.pretty(sample()).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void nonFiniteNumbersReadBackAsNumbers() {
        JsonNode back = Json.parse(Json.compact(sample()));
        assertThat(back.get("loss").isNumber()).isTrue();
        assertThat(back.get("loss").doubleValue()).isNaN();
        assertThat(back.get("norm").doubleValue()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Json.pretty(back)).isEqualTo(Json.pretty(sample()));
    }

    @Test
    void invalidTextIsRefusedSayingWhatAndWhere() {
        assertThatThrownBy(() -> Json.parse("{\"layers\": [")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("end-of-input").hasMessageContaining("at line 1 column 13")
                .hasMessageNotContaining("Source");
        assertThatThrownBy(() -> Json.parse("{\"a\": 1} {}")).hasMessageContaining("Trailing token");
        assertThatThrownBy(() -> Json.parse("")).hasMessage("no JSON value: the text is empty");
        assertThatThrownBy(() -> Json.parseObject("[1, 2]")).hasMessage("expected a JSON object, got [1,2]");
    }

    @Test
    void fieldsNameTheObjectTheFieldAndWhatWasFound() {
        JsonFields f = new JsonFields("layer 'bn1'", Json.parse("""
                {"name": "bn1", "over": true, "channels": 2.5, "big": 3e9, "mean": [0.5, NaN], "counts": [1, -2], "none": null,
                 "long": "%s"}""".formatted("x".repeat(80))));
        assertThat(f.string("name")).isEqualTo("bn1");
        assertThatThrownBy(() -> f.integer("channels")).hasMessage("layer 'bn1': field 'channels' = 2.5 must be an integer");
        assertThatThrownBy(() -> f.integer("big"))
                .hasMessage("layer 'bn1': field 'big' = 3.0E9 must be a 32-bit integer");
        assertThatThrownBy(() -> f.doubles("mean"))
                .hasMessage("layer 'bn1': field 'mean'[1] = NaN must be a finite number");
        assertThatThrownBy(() -> f.counts("counts"))
                .hasMessage("layer 'bn1': field 'counts'[1] = -2.0 must be a non-negative integer");
        assertThatThrownBy(() -> f.number("none")).hasMessage("layer 'bn1': missing field 'none'");
        assertThatThrownBy(() -> f.number("long"))
                .hasMessage("layer 'bn1': field 'long' = \"" + "x".repeat(59) + "... must be a number");
        assertThat(f.bool("over")).isTrue();
        assertThatThrownBy(() -> f.bool("name")).hasMessage("layer 'bn1': field 'name' = \"bn1\" must be true or false");
        assertThatThrownBy(() -> f.object("name")).hasMessage("layer 'bn1': field 'name' = \"bn1\" must be an object");
        assertThatThrownBy(() -> new JsonFields("layer", null)).hasMessage("layer: expected a JSON object, got null");
        assertThatThrownBy(() -> new JsonFields("layer", Json.parse("[1]")))
                .hasMessage("layer: expected a JSON object, got [1]");
        assertThat(Json.compact(JsonFields.array(new long[] {1, 2}))).isEqualTo("[1,2]");
        assertThat(Json.compact(JsonFields.array(new double[] {1, 0.5}))).isEqualTo("[1.0,0.5]");
    }
}
