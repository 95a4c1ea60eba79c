using Hull.Plugins.Linux.Cgroups;
using Hull.Plugins.Linux.Interop;
using Xunit;

namespace Hull.Tests.Unit.Linux.Cgroups;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CgroupTreeTests : IDisposable
{
    readonly FakeCgroupFs fs = new();

    public void Dispose() => fs.Dispose();

    [Fact]
    public void MissingParentsAreMadeFirstAndReportedAsCreatedInOrder()
    {
        fs.Hierarchy("pids", ("cgroup.procs", ""));
        var created = CgroupTree.CreateAll(fs, fs.Abs("pids/machine/pod/c1"));
        Assert.Equal(["pids/machine", "pids/machine/pod", "pids/machine/pod/c1"], created.Select(fs.Rel));
        Assert.True(Directory.Exists(fs.Abs("pids/machine/pod/c1")));
    }

    [Fact]
    public void WhatExistedIsNotReportedAsCreated()
    {
        fs.Hierarchy("pids", ("cgroup.procs", ""));
        Directory.CreateDirectory(fs.Abs("pids/machine"));
        Assert.Equal(["pids/machine/c1"], CgroupTree.CreateAll(fs, fs.Abs("pids/machine/c1")).Select(fs.Rel));
        // Joining an existing cgroup creates nothing, so a failed create never removes it.
        Assert.Empty(CgroupTree.CreateAll(fs, fs.Abs("pids/machine/c1")));
    }

    [Fact]
    public void AFailureRemovesTheParentsItMadeAndIsReported()
    {
        fs.Hierarchy("pids", ("cgroup.procs", ""));
        // The first mkdir of c1 finds no parent; the one after making it is refused.
        fs.FailOn("pids/machine/c1", CgroupNative.EACCES, after: 1);
        var e = Assert.Throws<CgroupFsException>(() => CgroupTree.CreateAll(fs, fs.Abs("pids/machine/c1")));
        Assert.Equal(CgroupNative.EACCES, e.Errno);
        Assert.False(Directory.Exists(fs.Abs("pids/machine")));
    }
}
