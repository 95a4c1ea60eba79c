namespace Hull.Cli.Values;

/// <summary>
/// Boolean flag values as runc's flag parser (Go's strconv.ParseBool) accepts them, so that
/// `--detach=true`, `--all=0` or `--rootless=T` mean what they mean to runc.
/// </summary>
internal static class GoBool
{
    public static bool TryParse(string text, out bool value)
    {
        switch (text)
        {
            case "1" or "t" or "T" or "true" or "TRUE" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "false" or "FALSE" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
