package io.reactiveipc.internal;

import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The frame that tells a peer it broke the protocol, node-ipc style: type {@code error}, data
 * {@code {"code":"E_PROTOCOL","reason":...,"message":...}} (the codes of the UDP socket's {@code ipc.error}).
 */
public final class ProtocolErrors {

    /** The type of the answer; a node-ipc peer dispatches it to its {@code error} listeners. */
    public static final String TYPE = "error";
    public static final String CODE = "E_PROTOCOL";
    /** The message is cut here: it may quote the peer's bytes, which need not travel back whole. */
    static final int MAX_MESSAGE = 200;

    private ProtocolErrors() {
    }

    /** The data of the answer to {@code error}: code, reason, message. */
    public static Map<String, Object> data(IpcProtocolException error) {
        String text = String.valueOf(error.getMessage());
        Map<String, Object> data = new LinkedHashMap<>(4);
        data.put("code", CODE);
        data.put("reason", error.reason().name());
        data.put("message", text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "...");
        return data;
    }

    /** The answer to {@code error}, to be encoded by the connection's codec. */
    public static Message answer(IpcProtocolException error) {
        return Message.of(TYPE, data(error));
    }
}
