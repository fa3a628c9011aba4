package io.hexo.board;

/** A board that cannot be used right now; the message is the one sentence to show. */
public final class BoardException extends Exception {
    public BoardException(String message) {
        super(message);
    }
}
