using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using Nas.Sandbox.Cli;
using Nas.Sandbox.Cluster;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Packs;
using Nas.Sandbox.Core.Racing.Workers;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests.Cluster;

/// <summary>
/// The code a race sends its cluster workers: built from the sources the race uses, the same bytes every time, and
/// loaded by a worker only after its bytes, its acceptance and every file's hash check out; a tampered pack leaves
/// nothing installed.
/// </summary>
public sealed class ShippedPackTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-shipped-").FullName;
    private readonly SandboxHost _host = SandboxHost.Create(
        typeof(RaceOptions).Assembly,
        scriptFolders: [Path.Combine(ScriptTestKit.RepoRoot, "scripts")],
        lazyScripts: true
    );

    public void Dispose()
    {
        _host.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static readonly string[] Operations = ["none", "skip_connect", "nor_dil_conv_3x3"];

    private ShippedPack.Shipment Build() =>
        ShippedPack.Build(_host, ScriptTestKit.Example("param-proxy.csx"), Operations)!;

    /// <summary>One pack for the tests that only read it: building compiles its scripts (seconds each time).</summary>
    private static readonly Lazy<ShippedPack.Shipment> Shared = new(() =>
    {
        using var host = SandboxHost.Create(
            typeof(RaceOptions).Assembly,
            scriptFolders: [Path.Combine(ScriptTestKit.RepoRoot, "scripts")],
            lazyScripts: true
        );
        return ShippedPack.Build(host, ScriptTestKit.Example("param-proxy.csx"), Operations)!;
    });

    private static ShippedPack.Shipment Ship() => Shared.Value;

    private static JObject RaceSetup(ShippedPack.Shipment code) =>
        ClusterSetup.ForTraining(
            WorkerSetup.Create(
                [],
                [],
                "nb201",
                Operations,
                code.Estimator,
                "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
                new Nas.Sandbox.Core.Estimators.TrainingSettings(),
                "cpu",
                1
            ),
            "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
            code
        );

    private static WorkerOptions Worker(PackAcceptance acceptance) =>
        new()
        {
            Cluster = ClusterAddress.Parse("localhost"),
            Name = "w1",
            Slots = 1,
            ThreadsPerSlot = 1,
            Device = "cpu",
            SiloPort = 1,
            GatewayPort = 2,
            Advertise = IPAddress.Loopback,
            SlotProcess = ContestantProcessCommand.StartOfThisHost(EstimatorProcessCommand.Name),
            AcceptPacks = acceptance,
        };

    [Fact]
    public void A_race_of_built_in_code_sends_nothing_and_one_with_a_script_estimator_and_operation_sends_both_scripts_the_same_each_time()
    {
        ShippedPack.Build(_host, "train", ["none", "skip_connect", "nor_conv_3x3"]).Should().BeNull();

        var first = Build();
        first.Estimator.Should().Be("param-proxy", "a script named by path is known by the estimator it defines");
        first.Manifest.Estimators.Should().Equal("param-proxy");
        first.Manifest.Operations.Should().Contain("nor_dil_conv_3x3");
        ((string)first.Pack["sha256"]!).Should().Be(Build().Pack["sha256"]!.ToString(), "same sources, same bytes");
    }

    [Fact]
    public void A_worker_installs_a_verified_pack_and_its_slots_load_the_race_code_from_there_only()
    {
        var code = Ship();
        var pack = ShippedPack.Install(code.Pack, _folder, PackAcceptance.All);
        var outcome = WorkerSetupCheck.Localize(RaceSetup(code), Worker(PackAcceptance.All), pack);

        outcome.Refusal.Should().BeNull();
        outcome.Setup!["pack"].Should().BeNull("the slots get the installed folder, not the bytes");
        outcome.Setup["scripts"]!.Values<string>().Should().Equal(pack.ScriptsFolder);
        outcome.Setup["estimator"]!.Value<string>().Should().Be("param-proxy");
        File.Exists(Path.Combine(pack.ScriptsFolder, "param-proxy.csx")).Should().BeTrue();
    }

    [Fact]
    public void Bytes_that_do_not_hash_to_the_stated_sha256_are_refused_and_nothing_is_installed()
    {
        var shipped = (JObject)Ship().Pack.DeepClone();
        byte[] bytes = Convert.FromBase64String((string)shipped["bytes"]!);
        bytes[bytes.Length / 2] ^= 0xFF;
        shipped["bytes"] = Convert.ToBase64String(bytes);

        var refusal = () => ShippedPack.Install(shipped, _folder, PackAcceptance.All);
        refusal.Should().Throw<PackException>().WithMessage("*hash to*not to the SHA-256 the race states*");
        Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public void A_pack_whose_script_was_changed_after_it_was_built_is_refused_naming_the_file_even_with_a_matching_outer_hash()
    {
        var shipped = (JObject)Ship().Pack.DeepClone();
        using var zip = new MemoryStream();
        zip.Write(Convert.FromBase64String((string)shipped["bytes"]!));
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = archive.GetEntry("scripts/param-proxy.csx")!;
            string text;
            using (var reader = new StreamReader(entry.Open()))
                text = reader.ReadToEnd();
            entry.Delete();
            using var writer = new StreamWriter(archive.CreateEntry("scripts/param-proxy.csx").Open());
            writer.Write(text + "\n// and a line added on the way\n");
        }
        byte[] tampered = zip.ToArray();
        shipped["bytes"] = Convert.ToBase64String(tampered);
        shipped["sha256"] = Convert.ToHexStringLower(SHA256.HashData(tampered));

        var refusal = () => ShippedPack.Install(shipped, _folder, PackAcceptance.All);
        refusal.Should().Throw<PackException>().WithMessage("*scripts/param-proxy.csx*");
        new PackStore(Path.Combine(_folder, ((string)shipped["sha256"]!)[..16])).Installed().Should().BeEmpty();
    }

    [Fact]
    public void A_worker_loads_only_the_packs_its_packs_option_accepts()
    {
        var code = Ship();
        string sha = (string)code.Pack["sha256"]!;
        var none = () => ShippedPack.Install(code.Pack, _folder, PackAcceptance.Parse("none"));
        none.Should().Throw<PackException>().WithMessage("*built-in code only*--packs none*");
        var other = () => ShippedPack.Install(code.Pack, _folder, PackAcceptance.Parse(new string('a', 64)));
        other.Should().Throw<PackException>().WithMessage($"*{sha[..12]}*not among*--packs*");
        ShippedPack.Install(code.Pack, _folder, PackAcceptance.Parse(sha.ToUpperInvariant())).Should().NotBeNull();

        var bad = () => PackAcceptance.Parse("any,abc");
        bad.Should().Throw<NasException>().WithMessage("--packs 'any'*SHA-256*");
    }

    [Fact]
    public void Code_named_by_folder_or_not_in_the_pack_is_refused_with_the_reason()
    {
        var code = Ship();
        var setup = RaceSetup(code);
        WorkerSetupCheck
            .Localize(setup, Worker(PackAcceptance.All), pack: null)
            .Refusal.Should()
            .Contain("estimator 'param-proxy' is neither built in")
            .And.Contain("it sent none");

        setup["scripts"] = new JArray("/somewhere/scripts");
        WorkerSetupCheck
            .Localize(setup, Worker(PackAcceptance.All), ShippedPack.Install(code.Pack, _folder, PackAcceptance.All))
            .Refusal.Should()
            .Contain("plugin or script folders by path");
    }

    [Fact]
    public void A_race_on_a_script_space_sends_the_space_and_a_worker_finds_it_only_in_that_pack()
    {
        string scripts = Directory.CreateDirectory(Path.Combine(_folder, "race-scripts")).FullName;
        File.WriteAllText(Path.Combine(scripts, "widths.csx"), WidthsSpaceScript.Source("widths"));
        using var host = SandboxHost.Create(typeof(RaceOptions).Assembly, [], [scripts], lazyScripts: true);
        ShippedPack.Build(host, "train", null, "macro").Should().BeNull("a built-in space needs nothing sent");
        ShippedPack
            .Build(host, "train", host.CreateSpace("nats-size").Operations, "nats-size")
            .Should()
            .BeNull("a space's own choices, as a resumed race names them (--operations 8,16,...), are not operations");

        var code = ShippedPack.Build(host, "train", null, "widths")!;
        code.Estimator.Should().Be("train");
        code.Manifest.Spaces.Should().Equal("widths");
        code.Manifest.Scripts.Should().ContainSingle().Which.Provides.Describe().Should().Be("space widths");

        string dataset = "fashion-mnist:" + TestData.FashionMnistSubsetDirectory;
        JObject Setup(ShippedPack.Shipment? shipped) =>
            ClusterSetup.ForTraining(
                WorkerSetup.Create([], [], "widths", null, "train", dataset, new(), "cpu", 1),
                dataset,
                shipped
            );
        string installed = Directory.CreateDirectory(Path.Combine(_folder, "worker")).FullName;
        var pack = ShippedPack.Install(code.Pack, installed, PackAcceptance.All);
        var outcome = WorkerSetupCheck.Localize(Setup(code), Worker(PackAcceptance.All), pack);
        outcome.Refusal.Should().BeNull();
        // The slots' host loads the pack's scripts folder and nothing else: the space comes from the installed copy.
        using var slotHost = SandboxHost.Create(
            typeof(RaceOptions).Assembly,
            [],
            outcome.Setup!["scripts"]!.Values<string>()!,
            lazyScripts: true
        );
        slotHost.ResolveSpace("widths").Source.Should().Be($"script {Path.Combine(pack.ScriptsFolder, "widths.csx")}");

        WorkerSetupCheck
            .Localize(Setup(null), Worker(PackAcceptance.All), pack: null)
            .Refusal.Should()
            .Be(
                "search space 'widths' is neither built in (macro, nats-size, nb201) nor in the race's pack (it sent none)"
            );
        WorkerSetupCheck
            .Localize(
                Setup(null),
                Worker(PackAcceptance.All),
                ShippedPack.Install(Ship().Pack, _folder, PackAcceptance.All)
            )
            .Refusal.Should()
            .Contain("search space 'widths' is neither built in")
            .And.Contain("param-proxy.csx");
    }
}
