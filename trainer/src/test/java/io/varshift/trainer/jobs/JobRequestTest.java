package io.varshift.trainer.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import io.varshift.core.spec.ModelSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobRequestTest {

    private static JobRequest parse(String json) {
        return JobRequest.fromJson(body(json), JobQueueTest.defaults());
    }

    /** A REST body as the resource hands it over: one JSON object. */
    static ObjectNode body(String json) {
        try {
            return (ObjectNode) Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static void rejects(String json, String field, String messagePart) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageContaining(messagePart);
    }

    @Test
    void aTrainBodyBuildsTheSpecAndFallsBackToTheConfiguredCalibration() {
        TrainRequest r = (TrainRequest) parse("""
                {"type":"train","model":"fmnist","dropoutPlacement":"before-bn","dropRatio":0.5,"width":8,
                 "limit":2000}""");
        assertThat(r.spec().dropoutPlacement()).isEqualTo(ModelSpec.DropoutPlacement.BEFORE_BN);
        assertThat(r.spec().retainRatio()).isEqualTo(0.5);
        assertThat(r.spec().width()).isEqualTo(8);
        assertThat(r.windowSizes()).containsExactly(256);
        assertThat(r.falseAlarmRate()).isEqualTo(1e-4);
        assertThat(r.epochs()).isEqualTo(1);
        assertThat(r.limit()).isEqualTo(2000);
    }

    @Test
    void aRequestRoundTripsThroughItsJson() {
        JobRequest r = parse("""
                {"type":"train","model":"fmnist","architecture":"preresnet","epochs":3,"windowSizes":[64,256]}""");
        assertThat(JobRequest.fromJson(r.toJson(), JobQueueTest.defaults())).isEqualTo(r);
        JobRequest report = parse("{\"type\":\"report\",\"model\":\"m\",\"version\":2}");
        assertThat(JobRequest.fromJson(report.toJson(), JobQueueTest.defaults())).isEqualTo(report);
    }

    @Test
    void everyInvalidFieldIsNamed() {
        rejects("{\"model\":\"m\"}", "type", "is required");
        rejects("{\"type\":\"fly\",\"model\":\"m\"}", "type", "unknown job type 'fly'");
        rejects("{\"type\":\"train\"}", "model", "is required");
        rejects("{\"type\":\"train\",\"model\":\"../etc\"}", "model", "not a valid model name");
        rejects("{\"type\":\"train\",\"model\":\"m\",\"epochs\":0}", "epochs", "out of range");
        rejects("{\"type\":\"train\",\"model\":\"m\",\"epochs\":1.5}", "epochs", "whole number");
        rejects("{\"type\":\"train\",\"model\":\"m\",\"width\":\"wide\"}", "width", "must be a number");
        rejects("{\"type\":\"train\",\"model\":\"m\",\"width\":0}", "width", "out of range");
        rejects("{\"type\":\"train\",\"model\":\"m\",\"architecture\":\"mlp\"}", "architecture", "'mlp'");
        rejects("{\"type\":\"train\",\"model\":\"m\",\"colour\":1}", "colour", "unknown field");
        rejects("{\"type\":\"train\",\"model\":\"m\",\"falseAlarmRate\":0.7}", "falseAlarmRate", "0 < rate < 0.5");
        rejects("{\"type\":\"report\",\"model\":\"m\",\"version\":0}", "version", "versions start at 1");
        rejects("{\"type\":\"recalibrate\",\"model\":\"m\",\"data\":\"../x\"}", "data", "stay inside");
        rejects("{\"type\":\"recalibrate\",\"model\":\"m\"}", "data", "is required");
    }

    @Test
    void aTrainBodyWithDataReadsAFolderInsideTheTrafficDirectory() {
        TrainRequest r = (TrainRequest) parse("""
                {"type":"train","model":"mine","data":{"path":"shapes","heldOutFraction":0.3,"channels":3,
                 "height":32,"width":32}}""");
        assertThat(Path.of(r.data().path())).isEqualTo(JobQueueTest.defaults().trafficDir().resolve("shapes"));
        assertThat(r.data().heldOutFraction()).isEqualTo(0.3);
        assertThat(r.data().height()).isEqualTo(32);
        assertThat(r.toJson().get("data").get("channels").asInt()).isEqualTo(3);
        TrainRequest normalised = (TrainRequest) parse("""
                {"type":"train","model":"mine","normalization":{"mean":[0.5,0.4,0.3],"std":[0.2,0.2,0.2]}}""");
        assertThat(normalised.normalization().mean()).containsExactly(0.5, 0.4, 0.3);
        assertThat(normalised.toJson().get("normalization").get("std")).hasSize(3);
        rejects("{\"type\":\"train\",\"model\":\"m\",\"normalization\":{\"mean\":[0.5]}}", "std", "is required");
        rejects("{\"type\":\"train\",\"model\":\"m\",\"data\":{\"path\":\"../etc\"}}", "data", "stay inside");
        rejects("{\"type\":\"train\",\"model\":\"m\",\"data\":\"shapes\"}", "data", "must be an object");
        rejects("{\"type\":\"train\",\"model\":\"m\",\"data\":{\"path\":\"s\",\"size\":3}}", "size",
                "unknown field");
        rejects("{\"type\":\"train\",\"model\":\"m\",\"data\":{\"path\":\"s\",\"height\":32}}", "height",
                "give both height and width");
        rejects("{\"type\":\"train\",\"model\":\"m\",\"validation\":10,\"data\":{\"path\":\"s\"}}",
                "validation", "data.heldOutFraction");
        rejects("{\"type\":\"train\",\"model\":\"m\",\"heldOut\":10,\"data\":{\"path\":\"s\"}}",
                "heldOut", "data.heldOutPath");
        rejects("{\"type\":\"train\",\"model\":\"m\",\"data\":{\"path\":\"s\",\"heldOutPath\":\"h\","
                + "\"heldOutFraction\":0.3}}", "heldOutFraction", "not both");
        // The input shape comes from the data: six preresnet blocks are not refused for 28 x 28 at request time.
        TrainRequest deep = (TrainRequest) parse("""
                {"type":"train","model":"deep","architecture":"preresnet","blocks":6,"data":{"path":"big"}}""");
        assertThat(deep.spec().blocks()).isEqualTo(6);
        rejects("{\"type\":\"train\",\"model\":\"m\",\"architecture\":\"preresnet\",\"blocks\":6}",
                "spec", "too small");
    }

    @Test
    void anImportBodyNamesWeightsAndDataInsideTheTrafficDirectory() {
        ImportRequest r = (ImportRequest) parse("""
                {"type":"import","model":"mine","weights":"w/model.npz","architecture":"preresnet","width":4,
                 "data":{"path":"shapes"}}""");
        assertThat(Path.of(r.weights())).isEqualTo(JobQueueTest.defaults().trafficDir().resolve("w/model.npz"));
        assertThat(r.spec().architecture()).isEqualTo(ModelSpec.Architecture.PRERESNET);
        assertThat(r.windowSizes()).containsExactly(256);
        rejects("{\"type\":\"import\",\"model\":\"m\",\"weights\":\"w.npz\"}", "data", "is required");
        rejects("{\"type\":\"import\",\"model\":\"m\",\"weights\":\"/etc/w.npz\",\"data\":{\"path\":\"s\"}}",
                "weights", "stay inside");
    }

    @Test
    void heldOutSamplesMustCoverTheLargestWindow() {
        rejects("{\"type\":\"train\",\"model\":\"m\",\"heldOut\":100,\"windowSizes\":[256]}", "heldOut",
                "window");
    }

    @Test
    void recalibrationDataResolvesInsideTheTrafficDirectory() {
        RecalibrateRequest r = (RecalibrateRequest) parse(
                "{\"type\":\"recalibrate\",\"model\":\"m\",\"data\":\"day1\"}");
        assertThat(r.data()).isEqualTo(Path.of("/tmp/traffic/day1"));
    }

    @Test
    void cliAndRestShareTheSameValidation() {
        assertThatThrownBy(() -> new AdjustBnRequest("m", null, -1, 10))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("limit"));
        assertThat(new ReportRequest("m", null, 0, 10).toJson().get("version").isNull()).isTrue();
        assertThat(List.of(JobType.values())).extracting(JobType::wireName)
                .containsExactly("train", "report", "adjust-bn", "recalibrate", "import");
    }

    @Test
    void jsonNullIsTheSameAsLeavingAFieldOut() {
        ObjectNode o = body("{\"type\":\"report\",\"model\":\"m\",\"version\":null}");
        assertThat(((ReportRequest) JobRequest.fromJson(o, JobQueueTest.defaults())).version()).isNull();
    }
}
