package io.hexo.ide.launch;

/** Tabs of "Run on ARM board". */
public class BoardTabGroup extends X86TabGroup {
    @Override
    protected boolean board() {
        return true;
    }
}
