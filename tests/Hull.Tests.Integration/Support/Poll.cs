using Xunit;

namespace Hull.Tests.Integration.Support;

/// <summary>
/// Waiting for what another process does in its own time. Polled against a deadline generous for a
/// loaded two-core CI machine, never a fixed sleep that assumes it is done by then.
/// </summary>
public static class Poll
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>True as soon as <paramref name="condition"/> holds; false if it still does not at the deadline.</summary>
    public static bool Until(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(20);
        }
        return true;
    }

    /// <summary>Fails the test, naming <paramref name="what"/>, unless <paramref name="condition"/> comes to hold.</summary>
    public static void Require(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        if (!Until(condition, timeout)) Assert.Fail("timed out waiting until " + what);
    }
}
