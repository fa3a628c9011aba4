package io.hexo.vmm.loader;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.memory.GuestMemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A hexo guest image: a static ELF64 executable linked at {@code Abi.IMAGE_BASE}. Reads the loadable
 * segments, the symbol table (layout symbols, and names for trap reports) and the .hexo_info section.
 */
public final class ElfImage {
    private static final int EM_X86_64 = 62, EM_AARCH64 = 183, PT_LOAD = 1, SHT_SYMTAB = 2;
    /** Elf64_Phdr, Elf64_Shdr and Elf64_Sym sizes: entries may be larger, never smaller. */
    private static final int PHDR_SIZE = 56, SHDR_SIZE = 64, SYM_SIZE = 24;
    /** Guest-physical addresses are far below this; anything above is a damaged header. */
    private static final long MAX_IMAGE_END = 1L << 47;

    private final Path path;
    private final ByteBuffer elf;
    private final Isa isa;
    private final long entry;
    private final List<long[]> segments = new ArrayList<>(); // {fileOffset, vaddr, fileSize, memSize}
    private final Map<String, Long> symbols = new java.util.HashMap<>();
    private final NavigableMap<Long, String> functions = new TreeMap<>();
    private ImageInfo info;

    private ElfImage(Path path, byte[] bytes) {
        this.path = path;
        this.elf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 64 || elf.getInt(0) != 0x464c457f) throw bad("is not an ELF file");
        if (elf.get(4) != 2 || elf.get(5) != 1) throw bad("is not a 64-bit little-endian ELF file");
        int machine = Short.toUnsignedInt(elf.getShort(18));
        if (machine == EM_X86_64) isa = Isa.X86_64;
        else if (machine == EM_AARCH64) isa = Isa.AARCH64;
        else throw bad("is for neither x86-64 nor AArch64 (ELF machine " + machine + ")");
        entry = elf.getLong(24);
        readSegments();
        readSections();
    }

    public static ElfImage read(Path path) {
        try {
            return new ElfImage(path, Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            throw new ImageException(path + " does not exist: build it first with `hexo build`");
        } catch (IOException e) {
            throw new ImageException("cannot read " + path + ": " + e.getMessage());
        } catch (IndexOutOfBoundsException | IllegalArgumentException | ArithmeticException e) {
            // offsets and counts past the file, or too large for an int (Math.toIntExact)
            throw new ImageException(path + " is a damaged ELF file: rebuild it with `hexo build`");
        }
    }

    private ImageException bad(String what) {
        return new ImageException(path + " " + what + ": rebuild it with `hexo build`");
    }

    private void readSegments() {
        long phoff = elf.getLong(32);
        int phentsize = Short.toUnsignedInt(elf.getShort(54)), phnum = Short.toUnsignedInt(elf.getShort(56));
        if (phentsize < PHDR_SIZE) throw bad("has a damaged program header table");
        for (int i = 0; i < phnum; i++) {
            int p = Math.toIntExact(phoff + (long) i * phentsize);
            if (elf.getInt(p) != PT_LOAD) continue;
            long off = elf.getLong(p + 8), vaddr = elf.getLong(p + 16), filesz = elf.getLong(p + 32), memsz = elf.getLong(p + 40);
            // Every field is the file's word: no sum may wrap, nothing may lie past the file or the address space.
            if (off < 0 || filesz < 0 || memsz < 0 || filesz > memsz || off > elf.capacity() - filesz
                    || vaddr < Abi.IMAGE_BASE || vaddr > MAX_IMAGE_END - memsz) {
                throw bad("has a segment outside the image");
            }
            segments.add(new long[] {off, vaddr, filesz, memsz});
        }
        if (segments.isEmpty()) throw bad("has nothing to load");
    }

    private void readSections() {
        long shoff = elf.getLong(40);
        int shentsize = Short.toUnsignedInt(elf.getShort(58)), shnum = Short.toUnsignedInt(elf.getShort(60));
        int shstrndx = Short.toUnsignedInt(elf.getShort(62));
        if (shoff == 0 || shnum == 0) return;
        if (shentsize < SHDR_SIZE) throw bad("has a damaged section header table");
        int strSection = section(shoff, shentsize, shstrndx);
        long shstrOff = elf.getLong(strSection + 24);
        for (int i = 0; i < shnum; i++) {
            int s = section(shoff, shentsize, i);
            String name = cString(shstrOff + Integer.toUnsignedLong(elf.getInt(s)));
            int type = elf.getInt(s + 4);
            long off = elf.getLong(s + 24), size = elf.getLong(s + 32);
            if (name.equals(".hexo_info")) info = readInfo(off, size);
            if (type == SHT_SYMTAB) readSymbols(off, size, elf.getLong(s + 56), section(shoff, shentsize, elf.getInt(s + 40)));
        }
    }

    private int section(long shoff, int shentsize, int index) {
        return Math.toIntExact(shoff + (long) index * shentsize);
    }

    private void readSymbols(long off, long size, long entsize, int strSection) {
        long strOff = elf.getLong(strSection + 24);
        // A zero or tiny entry size would loop without end; the table must lie inside the file.
        if (entsize < SYM_SIZE || off < 0 || size < 0 || off > elf.capacity() - size) throw bad("has a damaged symbol table");
        for (long p = off; p + entsize <= off + size; p += entsize) {
            int q = Math.toIntExact(p);
            String name = cString(strOff + Integer.toUnsignedLong(elf.getInt(q)));
            int type = elf.get(q + 4) & 0xf;
            long value = elf.getLong(q + 8);
            if (name.isEmpty()) continue;
            symbols.put(name, value);
            if (type == 2 /* STT_FUNC */) functions.put(value, name);
        }
    }

    private ImageInfo readInfo(long off, long size) {
        if (size < Abi.II_SIZE) throw bad("has a truncated .hexo_info section");
        int p = Math.toIntExact(off);
        if (elf.getInt(p + Abi.II_MAGIC) != Abi.IMAGE_INFO_MAGIC) throw bad("has a damaged .hexo_info section");
        int code = elf.getInt(p + Abi.II_ISA);
        Isa infoIsa = code == 1 ? Isa.X86_64 : code == 2 ? Isa.AARCH64 : null;
        byte[] id = new byte[64];
        elf.get(p + Abi.II_MODULE_ID, id);
        return new ImageInfo(elf.getInt(p + Abi.II_ABI_VERSION), infoIsa, elf.getInt(p + Abi.II_NGLOBALS),
                new String(id, StandardCharsets.US_ASCII), elf.getLong(p + Abi.II_IMAGE_BASE), elf.getLong(p + Abi.II_LINMEM_ALIGN),
                elf.getLong(p + Abi.II_INITIAL_LINMEM), elf.getLong(p + Abi.II_DATA_START), elf.getLong(p + Abi.II_BSS_START),
                elf.getLong(p + Abi.II_STACK_LOW), elf.getLong(p + Abi.II_STACK_HIGH));
    }

    private String cString(long offset) {
        int start = Math.toIntExact(offset), end = start;
        while (elf.get(end) != 0) end++;
        byte[] b = new byte[end - start];
        elf.get(start, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    public Path path() { return path; }

    public Isa isa() { return isa; }

    public long entry() { return entry; }

    /** The image's .hexo_info; an image without one was not built by hexo. */
    public ImageInfo info() {
        if (info == null) throw bad("was not built by hexo (no .hexo_info section)");
        return info;
    }

    public boolean hasSymbol(String name) {
        return symbols.containsKey(name);
    }

    public long symbol(String name) {
        Long v = symbols.get(name);
        if (v == null) throw bad("lacks the symbol " + name);
        return v;
    }

    /** The end of everything the image occupies in guest memory. */
    public long end() {
        long end = 0;
        for (long[] s : segments) end = Math.max(end, s[1] + s[3]);
        return Math.max(end, symbols.getOrDefault("__hexo_image_end", 0L));
    }

    /** Copies the loadable segments into guest memory (which is fresh, hence already zero past them). */
    public void load(GuestMemory memory) {
        for (long[] s : segments) {
            byte[] data = new byte[Math.toIntExact(s[2])];
            elf.get(Math.toIntExact(s[0]), data);
            memory.write(s[1], data);
        }
    }

    /**
     * The C function containing pc, in the program's own terms where possible: wasm2c names the
     * translated function {@code w2c_<name>}, so "w2c_main" is reported as "main".
     */
    public String functionAt(long pc) {
        Map.Entry<Long, String> e = functions.floorEntry(pc);
        if (e == null) return null;
        String name = e.getValue();
        if (name.startsWith("w2c_")) name = name.substring(4);
        // clang's wasm32 names for main(void) and main(argc, argv), which the user wrote as main
        return name.equals("__original_main") || name.equals("__main_argc_argv") ? "main" : name;
    }
}
