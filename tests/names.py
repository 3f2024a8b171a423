"""Names the printouts must show whole: a character of every CJK extension (GB 18030-2022
allows them all in a name), minority names far longer than a column, and a character
that no font has."""

# One name per block; each character is outside GBK, so the primary font has none.
EXTENSION_NAMES = {
    "Ext A": "李䶮",  # U+4DAE
    "Ext B": "田𠮷",  # U+20BB7
    "Ext B (4 strokes)": "张𪚥",  # U+2A6A5
    "Ext C": "王𪜀",  # U+2A700
    "Ext D": "陈𫝀",  # U+2B740
    "Ext E": "周𫠠",  # U+2B820
    "Ext F": "吴𬺰",  # U+2CEB0
    "Ext G": "赵𰻝",  # U+30EDD (biáng)
}
LONG_NAMES = (
    "阿卜杜热合曼·阿卜杜克热木",
    "热依汗古丽·阿不都热合曼·买买提明",
    "欧阳𰻝𰻝䶮𠮷",
)
# Unassigned in Unicode 15, so no font can have it: the "could not draw" case.
UNDRAWABLE = "\U0003fffd"
