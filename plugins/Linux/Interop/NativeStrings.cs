using System.Runtime.InteropServices;
using System.Text;

namespace Hull.Plugins.Linux.Interop;

/// <summary>
/// A NULL-terminated char* array (argv, envp) in one native allocation, built before fork/exec so
/// that nothing needs to allocate afterwards.
/// </summary>
internal sealed unsafe class NativeStrings : IDisposable
{
    readonly byte* block;

    public byte** Pointers => (byte**)block;

    public NativeStrings(IReadOnlyList<string> strings)
    {
        var table = (nuint)(strings.Count + 1) * (nuint)sizeof(byte*);
        nuint size = table;
        foreach (var s in strings) size += (nuint)Encoding.UTF8.GetByteCount(s) + 1;
        block = (byte*)NativeMemory.AllocZeroed(size);
        var ptrs = (byte**)block;
        var text = block + table;
        for (var i = 0; i < strings.Count; i++)
        {
            ptrs[i] = text;
            var n = Encoding.UTF8.GetBytes(strings[i], new Span<byte>(text, (int)(size - (nuint)(text - block))));
            text[n] = 0;
            text += n + 1;
        }
        ptrs[strings.Count] = null;
    }

    /// <summary>The first string, e.g. a path for execve.</summary>
    public byte* this[int index] => Pointers[index];

    public void Dispose() => NativeMemory.Free(block);
}
