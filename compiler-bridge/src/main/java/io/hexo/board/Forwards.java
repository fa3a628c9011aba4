package io.hexo.board;

import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.ForwardingFilter;
import org.apache.sshd.server.forward.TcpForwardingFilter;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a board's SSH connection may forward, which is only what hexo asked for: a listener here on
 * loopback (a local forward to the board), and connections from the board to the addresses hexo named
 * for a remote forward (a post-copy page server here). MINA's client would otherwise refuse both, and
 * accepting everything would let a board open connections to anything this machine reaches.
 */
final class Forwards implements ForwardingFilter {
    private final Set<String> targets = ConcurrentHashMap.newKeySet();

    /** Connections the board opens to host:port through a remote forward are allowed from now on. */
    void allow(String host, int port) {
        targets.add(host + ":" + port);
    }

    @Override
    public boolean canListen(SshdSocketAddress address, Session session) {
        return SshdSocketAddress.isLoopback(address.getHostName());
    }

    @Override
    public boolean canConnect(TcpForwardingFilter.Type type, SshdSocketAddress address, Session session) {
        return type == TcpForwardingFilter.Type.Forwarded && targets.contains(address.getHostName() + ":" + address.getPort());
    }

    @Override
    public boolean canForwardAgent(Session session, String requestType) {
        return false;
    }

    @Override
    public boolean canForwardX11(Session session, String requestType) {
        return false;
    }
}
