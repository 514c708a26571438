package io.varshift.core.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import io.varshift.core.spec.ModelSpec.Architecture;
import io.varshift.core.spec.ModelSpec.DropoutKind;
import io.varshift.core.spec.ModelSpec.DropoutPlacement;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelSpecTest {

    private static ModelSpec dropoutBeforeBn() {
        return ModelSpec.fashionMnist(Architecture.PRERESNET).optWidth(8).optBlocks(3)
                .optDropout(DropoutPlacement.BEFORE_BN, DropoutKind.BERNOULLI).optDropRatio(0.3).optSeed(7).build();
    }

    @Test
    void jsonRoundTripGivesAnEqualSpec() {
        ModelSpec spec = dropoutBeforeBn();
        String text = Json.compact(spec.toJson());
        ModelSpec back = ModelSpec.fromJson(Json.parse(text));
        assertThat(back).isEqualTo(spec);
        assertThat(back.toJson()).isEqualTo(spec.toJson());
        assertThat(spec.toJson().get("dropoutPlacement").textValue()).isEqualTo("before-bn");
        assertThat(spec.toJson().get("architecture").textValue()).isEqualTo("preresnet");
    }

    @Test
    void aNormalisationRoundTripsThroughJsonAndMustHaveOnePositiveStdPerChannel() {
        ModelSpec.Normalization n = new ModelSpec.Normalization(List.of(0.485, 0.456, 0.406),
                List.of(0.229, 0.224, 0.225));
        ModelSpec spec = ModelSpec.builder().setArchitecture(Architecture.MOBILENET).optBlocks(2).setInputShape(3, 32, 32)
                .setClasses(List.of("cat", "dog")).optNormalization(n).build();
        ObjectNode json = spec.toJson();
        assertThat(json.get("normalization").get("std").get(2).doubleValue()).isEqualTo(0.225);
        ModelSpec back = ModelSpec.fromJson(Json.parse(Json.compact(json)));
        assertThat(back).isEqualTo(spec).hasSameHashCodeAs(spec);
        assertThat(back.normalization()).contains(n);
        // Without one, model.json has no normalization field, as before it existed.
        assertThat(dropoutBeforeBn().toJson().has("normalization")).isFalse();
        assertThatThrownBy(() -> spec.toBuilder().setInputShape(1, 32, 32).build())
                .hasMessageContaining("normalization has 3 means and 3 standard deviations for 1 input channels");
        assertThatThrownBy(() -> spec.toBuilder().optNormalization(new ModelSpec.Normalization(List.of(0.0, 0.0, 0.0),
                List.of(0.2, 0.0, 0.2))).build()).hasMessageContaining("normalization of channel 1 is mean 0.0, std 0.0");
    }

    @Test
    void aRefusalNamesItsSpecFieldApartFromTheMessage() {
        assertThatThrownBy(() -> ModelSpec.fashionMnist(Architecture.CONVNET).optWidth(0).build())
                .isInstanceOfSatisfying(ModelSpecException.class, e -> assertThat(e.field()).isEqualTo("width"))
                .hasMessageContaining("width 0 is out of range");
        assertThatThrownBy(() -> ModelSpec.fashionMnist(Architecture.CONVNET).optBlocks(6).build())
                .isInstanceOfSatisfying(ModelSpecException.class, e -> assertThat(e.field()).isEqualTo("inputShape"));
        assertThatThrownBy(() -> Architecture.parse("mlp"))
                .isInstanceOfSatisfying(ModelSpecException.class, e -> assertThat(e.field()).isEqualTo("architecture"));
    }

    @Test
    void resNetDepthRoundTripsThroughJson() {
        ModelSpec spec = ModelSpec.builder().setArchitecture(Architecture.RESNET).optDepth(34).optBlocks(3)
                .optWidth(8).setInputShape(3, 32, 32).setClasses(List.of("cat", "dog")).build();
        ObjectNode json = spec.toJson();
        assertThat(json.get("architecture").textValue()).isEqualTo("resnet");
        assertThat(json.get("depth").intValue()).isEqualTo(34);
        ModelSpec back = ModelSpec.fromJson(Json.parse(Json.compact(json)));
        assertThat(back).isEqualTo(spec).hasSameHashCodeAs(spec);
        assertThat(back.depth()).isEqualTo(34);
        assertThat(spec.toBuilder().build()).isEqualTo(spec);
    }

    @Test
    void resNetDepthZeroMeansEighteenAndIsWrittenAsEighteen() {
        ModelSpec spec = ModelSpec.fashionMnist(Architecture.RESNET).build();
        assertThat(spec.depth()).isEqualTo(18);
        assertThat(spec.toJson().get("depth").intValue()).isEqualTo(18);
        assertThat(spec).isEqualTo(ModelSpec.fashionMnist(Architecture.RESNET).optDepth(18).build());
    }

    @Test
    void mobileNetRoundTripsThroughJsonWithDepthZero() {
        ModelSpec spec = ModelSpec.fashionMnist(Architecture.MOBILENET).optBlocks(3)
                .optDropout(DropoutPlacement.BEFORE_CONV, DropoutKind.UOUT).optUoutBeta(0.4).build();
        assertThat(spec.toJson().get("architecture").textValue()).isEqualTo("mobilenet");
        assertThat(spec.toJson().get("depth").intValue()).isZero();
        assertThat(ModelSpec.fromJson(spec.toJson())).isEqualTo(spec);
    }

    @Test
    void modelJsonWrittenBeforeDepthExistedLoadsWithDepthZero() {
        ObjectNode json = dropoutBeforeBn().toJson();
        json.remove("depth");
        ModelSpec old = ModelSpec.fromJson(json);
        assertThat(old.depth()).isZero();
        assertThat(old).isEqualTo(dropoutBeforeBn());
    }

    @Test
    void depthIsRefusedWhereTheArchitectureHasNoSuchSize() {
        assertThatThrownBy(() -> ModelSpec.fashionMnist(Architecture.RESNET).optDepth(50).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resnet depth 50 is not supported; use 18")
                .hasMessageContaining("or 34");
        assertThatThrownBy(() -> ModelSpec.fashionMnist(Architecture.CONVNET).optDepth(18).build())
                .hasMessageContaining("convnet depth 18 is not supported")
                .hasMessageContaining("set depth 0");
        assertThatThrownBy(() -> ModelSpec.fashionMnist(Architecture.MOBILENET).optDepth(34).build())
                .hasMessageContaining("mobilenet depth 34 is not supported");
        assertJsonRejected(j -> j.put("depth", 18), "preresnet depth 18 is not supported");
        assertJsonRejected(j -> j.put("depth", "deep"), "field 'depth' = \"deep\" must be a number");
    }

    @Test
    void resNetAndMobileNetTakeOneToFourStages() {
        for (Architecture architecture : List.of(Architecture.RESNET, Architecture.MOBILENET)) {
            assertThatThrownBy(() -> ModelSpec.fashionMnist(architecture).optBlocks(5).build())
                    .hasMessageContaining("blocks 5 is out of range for " + architecture.id())
                    .hasMessageContaining("use 1..4");
            assertThat(ModelSpec.fashionMnist(architecture).optBlocks(4).build().blocks()).isEqualTo(4);
        }
    }

    @Test
    void mobileNetRefusesAnInputTooSmallForItsStrideTwoStages() {
        assertThatThrownBy(() -> ModelSpec.fashionMnist(Architecture.MOBILENET).optBlocks(4)
                .setInputShape(3, 8, 7).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inputShape [3, 8, 7] is too small for 4 mobilenet stages")
                .hasMessageContaining("need height and width >= 8");
        assertThat(ModelSpec.fashionMnist(Architecture.MOBILENET).optBlocks(4).setInputShape(3, 8, 8).build())
                .isNotNull();
    }

    @Test
    void retainRatioIsThePapersPAndTheComplementOfDropRatio() {
        ModelSpec spec = dropoutBeforeBn();
        assertThat(spec.dropRatio()).isEqualTo(0.3);
        assertThat(spec.retainRatio()).isEqualTo(0.7, org.assertj.core.data.Offset.offset(1e-12));
        ModelSpec byRetain = spec.toBuilder().optRetainRatio(0.25).build();
        assertThat(byRetain.dropRatio()).isEqualTo(0.75);
    }

    @Test
    void fashionMnistPresetHasTenClassesAnd28x28Input() {
        ModelSpec spec = ModelSpec.fashionMnist(Architecture.CONVNET).build();
        assertThat(spec.inputShape()).containsExactly(1, 28, 28);
        assertThat(spec.classes()).hasSize(10).startsWith("T-shirt/top").endsWith("Ankle boot");
        assertThat(spec.sampleSize()).isEqualTo(784);
        assertThat(spec.formatVersion()).isEqualTo(1);
    }

    @Test
    void unknownJsonFieldsAreIgnoredSoModelJsonCanCarryATrainingSummary() {
        ObjectNode json = dropoutBeforeBn().toJson();
        json.set("training", Json.parse("{\"epochs\":1}"));
        assertThat(ModelSpec.fromJson(json)).isEqualTo(dropoutBeforeBn());
    }

    @Test
    void invalidJsonFieldsAreRejectedWithTheFieldNamed() {
        assertJsonRejected(j -> j.remove("width"), "missing field 'width'");
        assertJsonRejected(j -> j.put("width", "wide"), "field 'width' = \"wide\" must be a number");
        assertJsonRejected(j -> j.put("width", 2.5), "field 'width' = 2.5 must be an integer");
        assertJsonRejected(j -> j.put("width", 0), "width 0 is out of range");
        assertJsonRejected(j -> j.put("architecture", "vgg"), "architecture 'vgg' is not one of");
        assertJsonRejected(j -> j.put("dropoutPlacement", "middle"), "dropoutPlacement 'middle'");
        assertJsonRejected(j -> j.put("dropRatio", 1.0), "dropRatio 1.0 is out of range");
        assertJsonRejected(j -> j.put("formatVersion", 2), "formatVersion 2 is not supported");
        assertJsonRejected(j -> j.put("retainRatio", 0.5), "retainRatio 0.5 disagrees with dropRatio 0.3");
        assertJsonRejected(j -> j.set("inputShape", Json.parse("[1,28]")), "must have 3 dimensions");
        assertJsonRejected(j -> j.set("inputShape", Json.parse("[1,\"a\",28]")),
                "field 'inputShape'[1] = \"a\" must be a finite number");
        assertJsonRejected(j -> j.set("inputShape", Json.parse("[1,2,2]")), "is too small for 3");
        assertJsonRejected(j -> j.set("classes", Json.parse("[\"a\",\"a\"]")), "contains 'a' twice");
        assertJsonRejected(j -> j.set("classes", Json.parse("[\"a\"]")), "classes has 1 names");
    }

    @Test
    void dropoutSettingsMustMatchThePlacementAndKind() {
        assertThatThrownBy(() -> ModelSpec.fashionMnist(Architecture.CONVNET).optDropRatio(0.5).build())
                .hasMessageContaining("dropoutPlacement none");
        assertThatThrownBy(() -> ModelSpec.fashionMnist(Architecture.CONVNET)
                .optDropout(DropoutPlacement.AFTER_BN, DropoutKind.BERNOULLI).build())
                .hasMessageContaining("bernoulli dropout needs 0 < dropRatio < 1");
        assertThatThrownBy(() -> ModelSpec.fashionMnist(Architecture.CONVNET)
                .optDropout(DropoutPlacement.AFTER_BN, DropoutKind.UOUT).optDropRatio(0.5).build())
                .hasMessageContaining("uout dropout needs uoutBeta > 0");
        assertThatThrownBy(() -> ModelSpec.builder().setInputShape(1, 28, 28).setClasses(List.of("a", "b")).build())
                .hasMessageContaining("architecture is missing");
    }

    @Test
    void enumIdsParseCaseInsensitivelyWithDashOrUnderscore() {
        assertThat(DropoutPlacement.parse("Before_Conv")).isEqualTo(DropoutPlacement.BEFORE_CONV);
        assertThat(DropoutPlacement.parse("after-bn")).isEqualTo(DropoutPlacement.AFTER_BN);
        assertThat(DropoutKind.parse("UOUT")).isEqualTo(DropoutKind.UOUT);
        assertThat(Architecture.parse("convnet")).isEqualTo(Architecture.CONVNET);
        assertThat(Architecture.parse("ResNet")).isEqualTo(Architecture.RESNET);
        assertThat(Architecture.MOBILENET.id()).isEqualTo("mobilenet");
        assertThatThrownBy(() -> Architecture.parse("vgg"))
                .hasMessageContaining("[convnet, preresnet, resnet, mobilenet]");
        assertThatThrownBy(() -> DropoutKind.parse(null)).hasMessageContaining("[bernoulli, uout]");
    }

    private static void assertJsonRejected(Consumer<ObjectNode> edit, String message) {
        ObjectNode json = dropoutBeforeBn().toJson();
        edit.accept(json);
        assertThatThrownBy(() -> ModelSpec.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
