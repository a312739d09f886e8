package io.impflow.model.store;

/** An artifact location was refused by a {@link ModelLocationPolicy}; the message says why and what is allowed. */
public final class ModelLocationException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A refusal with its reason. */
    public ModelLocationException(String message) {
        super(message);
    }
}
