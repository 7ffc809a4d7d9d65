using System.CommandLine;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;

namespace Nas.Sandbox.Cli;

/// <summary>Options several commands share, and the one place user errors become a message and an exit code.</summary>
internal static class CommonOptions
{
    public static Option<string[]> Plugins() =>
        ExistingFolders(
            new("--plugins")
            {
                Description = "extra plugin folder (each sub-folder NAME holds NAME.dll); repeatable",
                AllowMultipleArgumentsPerToken = false,
            },
            "a folder whose sub-folders NAME hold NAME.dll"
        );

    public static Option<string[]> Scripts() =>
        ExistingFolders(
            new("--scripts")
            {
                Description = "extra folder of .csx scripts (strategies, estimators, operations); repeatable",
                AllowMultipleArgumentsPerToken = false,
            },
            "a folder of .csx files (a single script races by its path: --strategy FILE.csx)"
        );

    /// <summary>
    /// Refuses a value of <paramref name="option"/> that is not an existing folder. The host would otherwise find nothing
    /// there and go on without a word, and the race would then fail on a name the folder was meant to provide.
    /// </summary>
    private static Option<string[]> ExistingFolders(Option<string[]> option, string expected)
    {
        option.Validators.Add(result =>
        {
            foreach (string folder in result.GetValueOrDefault<string[]>() ?? [])
                if (folder.Length == 0)
                    result.AddError($"{option.Name} '': give {expected}.");
                else if (File.Exists(folder))
                    result.AddError($"{option.Name} {folder}: is a file; give {expected}.");
                else if (!Directory.Exists(folder))
                    result.AddError($"{option.Name} {folder}: no such folder.");
        });
        return option;
    }

    /// <summary>The league file; null when not given, meaning <see cref="LeagueFile.DefaultPath"/>.</summary>
    public static Option<string?> League() =>
        new("--league")
        {
            Description = "league file [league.json in the home: $NAS_HOME, default ~/.nas]",
            HelpName = "PATH",
        };

    /// <summary>
    /// <c>--dataset NAME[:DIR]</c>. The name is checked when the command line is read: a race that never loads the data
    /// (a tabular one, until a DARTS contestant asks for it) would otherwise journal a data set nobody has.
    /// </summary>
    public static Option<string> Dataset()
    {
        var option = new Option<string>("--dataset")
        {
            Description = "fashion-mnist or fashion-mnist:DIR",
            DefaultValueFactory = _ => "fashion-mnist",
        };
        option.Validators.Add(result =>
        {
            string given = result.GetValueOrDefault<string>() ?? "";
            string name = given.Split(':', 2)[0];
            if (!SandboxHost.DatasetNames.Contains(name))
                result.AddError(
                    $"--dataset {given}: unknown data set '{name}'. Available: {string.Join(", ", SandboxHost.DatasetNames)} (NAME:DIR for another folder)."
                );
        });
        return option;
    }

    public static Option<string> Device() =>
        new("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };

    /// <summary>
    /// The operations <c>--operations</c> names, comma-separated; null when it was not given. Given but naming none
    /// (<c>''</c>, <c>,</c>) is an error rather than the space's default list.
    /// </summary>
    public static string[]? OperationList(string? given)
    {
        if (given is null)
            return null;
        var names = given.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return names.Length > 0
            ? names
            : throw new NasException(
                $"--operations '{given}' names no operation: give at least two, comma-separated (nas list shows them), or leave it out."
            );
    }

    public static Option<bool> Json(string what) => new("--json") { Description = what };

    public static Option<bool> Verbose() => new("--verbose") { Description = "show stack traces of errors" };

    /// <summary>
    /// Runs <paramref name="body"/>; a <see cref="NasException"/> (or a contract's user error, or the file system's
    /// refusal) prints its message (no stack trace) and exits 1.
    /// </summary>
    public static async Task<int> GuardAsync(bool verbose, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        // KnobException and ArchitectureFormatException are the Abstractions' user errors (it knows no NasException).
        catch (Exception e)
            when (e
                    is NasException
                        or Nas.Sandbox.Abstractions.KnobException
                        or Nas.Sandbox.Abstractions.ArchitectureFormatException
            )
        {
            Console.Error.WriteLine($"error: {e.Message}");
            if (verbose)
                Console.Error.WriteLine(e);
            return 1;
        }
        // The file system's refusals (a file where a folder should be, a read-only or full disk, a path that is gone) are
        // the user's to fix, and .NET's message names the path: one line, like any user error.
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            if (verbose)
                Console.Error.WriteLine(e);
            return 1;
        }
        catch (Nas.Sandbox.Cluster.ClusterLostException e)
        {
            // A cluster race that ran out of workers stops cleanly: its journal is resumable.
            Console.Error.WriteLine($"stopped: {e.Message}");
            return 75;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled.");
            return 130;
        }
    }
}
