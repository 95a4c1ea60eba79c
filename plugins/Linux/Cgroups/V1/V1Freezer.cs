namespace Hull.Plugins.Linux.Cgroups.V1;

/// <summary>The v1 freezer: freezer.state, with the retries the v1 freezer needs to reach FROZEN reliably.</summary>
internal static class V1Freezer
{
    const string StateFile = "freezer.state";

    /// <summary>
    /// Writes FROZEN until the kernel reports FROZEN. A v1 cgroup can stay FREEZING while new processes keep
    /// appearing (fork, exec joining), so, like runc, retry, thaw briefly every 50 attempts to let stragglers
    /// settle, and sleep now and then for very slow machines. On failure the cgroup is thawed, never left
    /// half-frozen.
    /// </summary>
    /// <param name="sleep">The pause between attempts (a seam so tests need not wait).</param>
    public static void Freeze(ICgroupFs fs, string dir, Action<TimeSpan>? sleep = null)
    {
        sleep ??= Thread.Sleep;
        var file = Path.Combine(dir, StateFile);
        var ok = false;
        try
        {
            var backoff = TimeSpan.FromSeconds(1);
            for (var i = 0; i < 1000; i++)
            {
                if (i % 50 == 49)
                {
                    fs.WriteFile(file, "THAWED");
                    sleep(TimeSpan.FromMilliseconds(10));
                }
                fs.WriteFile(file, "FROZEN");
                if (i % 25 == 24) sleep(TimeSpan.FromTicks(100)); // 10 µs
                if (i % 200 == 199)
                {
                    sleep(backoff);
                    backoff *= 2;
                }
                switch (fs.ReadFile(file).Trim())
                {
                    case "FREEZING": continue;
                    case "FROZEN": ok = true; return;
                    case var other: throw new CgroupException($"unexpected freezer state \"{other}\" while freezing {dir}");
                }
            }
            throw new CgroupException($"unable to freeze {dir}: it stayed FREEZING (processes keep appearing in it); try again");
        }
        finally
        {
            if (!ok) TryThaw(fs, file);
        }
    }

    public static void Thaw(ICgroupFs fs, string dir) => fs.WriteFile(Path.Combine(dir, StateFile), "THAWED");

    static void TryThaw(ICgroupFs fs, string file)
    {
        try { fs.WriteFile(file, "THAWED"); } catch (CgroupFsException) { }
    }

    /// <summary>
    /// FROZEN only when this cgroup itself is frozen (freezer.self_freezing), not merely a frozen ancestor;
    /// FREEZING is waited out so the answer is stable.
    /// </summary>
    public static FreezerState State(ICgroupFs fs, string dir)
    {
        while (true)
        {
            var state = fs.TryRead(Path.Combine(dir, StateFile))?.Trim();
            switch (state)
            {
                case null: return FreezerState.Undefined;
                case "THAWED": return FreezerState.Thawed;
                case "FREEZING": Thread.Sleep(1); continue;
                case "FROZEN":
                    return fs.TryRead(Path.Combine(dir, "freezer.self_freezing"))?.Trim() switch
                    {
                        "0" => FreezerState.Thawed,
                        _ => FreezerState.Frozen,
                    };
                default: throw new CgroupException($"unknown freezer state \"{state}\" in {dir}");
            }
        }
    }
}
