package io.hexo.vmm.memory;

/** A guest handed the VMM an address or length outside guest memory. Never crashes the VMM. */
public final class GuestFault extends RuntimeException {
    private final long address;
    private final long length;

    public GuestFault(long address, long length) {
        super(String.format("guest address range 0x%x+%d is outside guest memory", address, length));
        this.address = address;
        this.length = length;
    }

    public long address() { return address; }

    public long length() { return length; }
}
