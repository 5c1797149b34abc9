package io.reactiveipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.core.type.TypeReference;

class MessageTest {

    record Point(int x, int y) {
    }

    @Test
    void anyJackson3MapperWritesAMessageAsTypeAndDataAndReadsItBack() {
        tools.jackson.databind.json.JsonMapper spring = tools.jackson.databind.json.JsonMapper.builder().build();
        byte[] frame = "{\"type\":\"p\",\"data\":{\"x\":1,\"y\":2},\"rid\":7}".getBytes(
                java.nio.charset.StandardCharsets.UTF_8);
        Message decoded = io.reactiveipc.codec.IpcCodec.nodeIpc().decode(frame, 0, frame.length);
        assertThat(spring.writeValueAsString(List.of(Message.of("p", new Point(1, 2)), decoded, Message.of("e"))))
                .as("data as a value, never the message's internals; our extra members stay on the wire")
                .isEqualTo("[{\"type\":\"p\",\"data\":{\"x\":1,\"y\":2}},{\"type\":\"p\",\"data\":{\"x\":1,\"y\":2}},"
                        + "{\"type\":\"e\",\"data\":{}}]");
        Message back = spring.readValue("{\"type\":\"p\",\"data\":{\"x\":3,\"y\":4}}", Message.class);
        assertThat(back.data(Point.class)).isEqualTo(new Point(3, 4));
        assertThat(spring.writeValueAsString(spring.readValue("{\"type\":\"n\"}", Message.class)))
                .isEqualTo("{\"type\":\"n\",\"data\":{}}");
        assertThatThrownBy(() -> spring.readValue("{\"data\":1}", Message.class))
                .isInstanceOf(tools.jackson.core.JacksonException.class).hasMessageContaining("string 'type'");
    }

    @Test
    void bindsDataToRecordsMapsAndGenericTypes() {
        Message m = Message.ofJson("p", "{\"x\":1,\"y\":2}");
        assertThat(m.data(Point.class)).isEqualTo(new Point(1, 2));
        assertThat(m.data(new TypeReference<Map<String, Integer>>() { })).containsEntry("y", 2);
        assertThat(Message.ofJson("l", "[{\"x\":3,\"y\":4}]").data(new TypeReference<List<Point>>() { }))
                .containsExactly(new Point(3, 4));
    }

    @Test
    void aJavaValueIsReturnedAsIsOrConverted() {
        Point p = new Point(5, 6);
        Message m = Message.of("p", p);
        assertThat(m.data(Point.class)).isSameAs(p);
        assertThat(m.data().get("x").asInt()).isEqualTo(5);
        assertThat(m.data(new TypeReference<Map<String, Object>>() { })).containsEntry("y", 6);
    }

    @Test
    void dataThatDoesNotFitTheTypeFailsWithIpcDataException() {
        assertThatThrownBy(() -> Message.ofJson("p", "\"text\"").data(Point.class))
                .isInstanceOf(IpcDataException.class).hasMessageContaining("'p'").hasMessageContaining("Point");
    }

    @Test
    void ofJsonRejectsWhatIsNotOneJsonValue() {
        assertThatThrownBy(() -> Message.ofJson("t", "{")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Message.ofJson("t", "1 2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Message.ofJson("t", "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equalWhenTypeAndJsonDataAreEqualWhateverTheRepresentation() {
        assertThat(Message.of("a", Map.of("x", 1))).isEqualTo(Message.ofJson("a", "{ \"x\" : 1 }"))
                .hasSameHashCodeAs(Message.ofJson("a", "{\"x\":1}"));
        assertThat(Message.of("a", 1)).isNotEqualTo(Message.of("b", 1));
        assertThat(Message.of("a")).isEqualTo(Message.ofJson("a", "{}"));
    }

    @Test
    void typePredicateFiltersAStream() {
        StepVerifier.create(Flux.just(Message.of("a", 1), Message.of("b", 2), Message.of("a", 3))
                        .filter(Message.type("a")).map(m -> m.data(Integer.class)))
                .expectNext(1, 3)
                .verifyComplete();
    }

    @Test
    void toStringShowsTypeAndShortenedData() {
        assertThat(Message.of("t", "x".repeat(500)).toString()).startsWith("Message{type=t, data=\"xxx")
                .contains("chars)").hasSizeLessThan(260);
    }
}
