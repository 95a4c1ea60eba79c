using Hull.Abstractions.Errors;
using Hull.Plugins.Linux.State;
using Xunit;

namespace Hull.Tests.Unit.Linux.State;

public class ContainerIdTests
{
    [Theory]
    [InlineData("c1")]
    [InlineData("ok_+-.x")]
    [InlineData("a..b")]
    [InlineData(".hidden")]
    [InlineData("...")]
    [InlineData("UPPER_lower-09")]
    public void AcceptsWhatRuncAccepts(string id)
    {
        Assert.True(ContainerId.IsValid(id));
        Assert.Equal(id, ContainerId.Validate(id));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("a:b")]
    [InlineData("a\0b")]
    [InlineData("é")]
    [InlineData("#new.c1.42")]
    public void RefusesWhatRuncRefuses(string id)
    {
        Assert.False(ContainerId.IsValid(id));
        var e = Assert.Throws<UsageException>(() => ContainerId.Validate(id));
        Assert.StartsWith("invalid container ID format", e.Message);
        Assert.Contains(id, e.Message);
    }

    [Fact]
    public void RefusesEmptyWithRuncsMessage()
    {
        Assert.Equal("container id cannot be empty", Assert.Throws<UsageException>(() => ContainerId.Validate("")).Message);
        Assert.Throws<UsageException>(() => ContainerId.Validate(null));
    }

    [Fact]
    public void RefusesNamesLongerThanADirectoryEntryCanBe()
    {
        Assert.True(ContainerId.IsValid(new string('a', 255)));
        Assert.False(ContainerId.IsValid(new string('a', 256)));
    }
}
