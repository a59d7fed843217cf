using System.Runtime.InteropServices;
using ArdMl.BuildTools.Elf;

namespace ArdMl.Tests.Build;

/// <summary>The ELF64 parser and the version-need patcher, on real copies of libLibTorchSharp.so and the host's libstdc++.</summary>
public sealed class VersionNeedWeakenerTests : IDisposable
{
    private const string Glibcxx332 = "GLIBCXX_3.4.32";
    private readonly string _directory = Directory.CreateTempSubdirectory("ardml-elf-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public void Parser_reads_the_version_need_chain_of_libLibTorchSharp()
    {
        var image = ElfImage.Load(CopyOriginal());

        var needs = image.ReadVersionNeeds();

        needs.Select(n => n.File).Should().Contain(["libc.so.6", "libstdc++.so.6", "libgcc_s.so.1"]);
        var libstdcxx = needs.Single(n => n.File == "libstdc++.so.6");
        libstdcxx.Versions.Select(v => v.Name).Should().Contain([Glibcxx332, "GLIBCXX_3.4", "CXXABI_1.3"]);
        var entry = libstdcxx.Versions.Single(v => v.Name == Glibcxx332);
        entry.IsWeak.Should().BeFalse("the package ships the need as strong");
        entry.Hash.Should().Be(ElfHash(Glibcxx332), "vna_hash is the ELF hash of vna_name");
        image.SymbolsBoundToVersion(entry.VersionIndex).Should().Equal("_ZSt21ios_base_library_initv");
    }

    [SkippableFact]
    public void Weakening_sets_only_the_weak_flag_of_that_entry()
    {
        var path = CopyOriginal();
        var before = File.ReadAllBytes(path);

        var outcome = new VersionNeedWeakener().Weaken(path, [Glibcxx332], onlyWhenHostLacks: false).Single();

        outcome.Action.Should().Be(WeakenAction.Weakened);
        var after = File.ReadAllBytes(path);
        after.Length.Should().Be(before.Length);
        var entry = ElfImage.Parse(after, path).ReadVersionNeeds().SelectMany(n => n.Versions).Single(v => v.Name == Glibcxx332);
        entry.Flags.Should().Be(ElfVersionNeedEntry.WeakFlag);
        Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).Should().Equal((int)entry.FlagsFileOffset);
        ElfImage.Parse(after, path).ReadVersionNeeds().SelectMany(n => n.Versions).Where(v => v.Name != Glibcxx332)
            .Should().OnlyContain(v => !v.IsWeak, "no other need is touched");
    }

    [SkippableFact]
    public void Weakening_twice_leaves_the_file_as_the_first_pass_did()
    {
        var path = CopyOriginal();
        var weakener = new VersionNeedWeakener();
        weakener.Weaken(path, [Glibcxx332], onlyWhenHostLacks: false);
        var once = File.ReadAllBytes(path);
        var writtenAt = File.GetLastWriteTimeUtc(path);

        var outcome = weakener.Weaken(path, [Glibcxx332], onlyWhenHostLacks: false).Single();

        outcome.Action.Should().Be(WeakenAction.AlreadyWeak);
        File.ReadAllBytes(path).Should().Equal(once);
        File.GetLastWriteTimeUtc(path).Should().Be(writtenAt, "an already patched file is not rewritten");
    }

    [SkippableFact]
    public void A_library_without_the_need_is_left_untouched()
    {
        var original = TorchSharpNativeLibrary.FindPackageOriginal();
        Skip.If(original is null, TorchSharpNativeLibrary.SkipMessage);
        var host = HostLibraryLocator.Find("libstdc++.so.6", ElfImage.MachineX8664);
        Skip.If(host is null, "libstdc++.so.6 was not found on this host.");
        var path = Path.Combine(_directory, "libstdc++.so.6");
        File.Copy(host!, path);
        var before = File.ReadAllBytes(path);

        var outcome = new VersionNeedWeakener().Weaken(path, [Glibcxx332], onlyWhenHostLacks: false).Single();

        outcome.Action.Should().Be(WeakenAction.NotNeeded);
        File.ReadAllBytes(path).Should().Equal(before);
    }

    [SkippableFact]
    public void A_need_the_host_meets_is_left_untouched()
    {
        var path = CopyOriginal();
        var before = File.ReadAllBytes(path);
        var host = HostLibraryLocator.Find("libstdc++.so.6", ElfImage.MachineX8664);
        Skip.If(host is null, "libstdc++.so.6 was not found on this host.");
        ElfImage.Load(host!).ReadVersionDefinitions().Should().Contain("GLIBCXX_3.4.30", "the test relies on a host with GCC 12 or later");

        var outcome = new VersionNeedWeakener().Weaken(path, ["GLIBCXX_3.4.30"], onlyWhenHostLacks: true).Single();

        outcome.Action.Should().Be(WeakenAction.HostProvides);
        File.ReadAllBytes(path).Should().Equal(before);
    }

    [SkippableFact]
    public void The_host_decision_follows_the_definitions_of_the_host_library()
    {
        var path = CopyOriginal();
        var host = HostLibraryLocator.Find("libstdc++.so.6", ElfImage.MachineX8664);
        Skip.If(host is null, "libstdc++.so.6 was not found on this host.");
        var hostDefines = ElfImage.Load(host!).ReadVersionDefinitions().Contains(Glibcxx332);

        var outcome = new VersionNeedWeakener((_, _) => host).Weaken(path, [Glibcxx332], onlyWhenHostLacks: true).Single();

        outcome.Action.Should().Be(hostDefines ? WeakenAction.HostProvides : WeakenAction.Weakened);
    }

    [SkippableFact]
    public void A_missing_host_library_leaves_the_file_untouched()
    {
        var path = CopyOriginal();
        var before = File.ReadAllBytes(path);

        var outcome = new VersionNeedWeakener((_, _) => null).Weaken(path, [Glibcxx332], onlyWhenHostLacks: true).Single();

        outcome.Action.Should().Be(WeakenAction.HostLibraryMissing);
        File.ReadAllBytes(path).Should().Equal(before);
    }

    [SkippableFact]
    public void Patching_a_hard_link_does_not_change_the_file_it_links_to()
    {
        var source = CopyOriginal();
        var before = File.ReadAllBytes(source);
        var link = Path.Combine(_directory, "linked.so");
        Link(source, link).Should().Be(0, "link(2) creates the hard link");

        new VersionNeedWeakener().Weaken(link, [Glibcxx332], onlyWhenHostLacks: false);

        File.ReadAllBytes(source).Should().Equal(before, "the package cache copy behind a hard link stays original");
        File.ReadAllBytes(link).Should().NotEqual(before);
    }

    [SkippableFact]
    public void A_truncated_image_is_rejected_naming_the_file()
    {
        var path = CopyOriginal();
        var bytes = File.ReadAllBytes(path);
        var truncated = bytes.AsSpan(0, bytes.Length / 2).ToArray();

        var parse = () => ElfImage.Parse(truncated, "half.so");

        parse.Should().Throw<ElfFormatException>().WithMessage("half.so: malformed ELF64 image: *");
    }

    [Fact]
    public void A_file_that_is_not_elf_is_rejected_naming_the_file()
    {
        var parse = () => ElfImage.Parse(new byte[128], "zeros.bin");

        parse.Should().Throw<ElfFormatException>().WithMessage("zeros.bin: not an ELF file*");
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link(string existingPath, string newPath);

    private static uint ElfHash(string name)
    {
        var hash = 0u;
        foreach (var c in name)
        {
            hash = (hash << 4) + c;
            var high = hash & 0xf0000000;
            if (high != 0)
            {
                hash ^= high >> 24;
            }

            hash &= ~high;
        }

        return hash;
    }

    private string CopyOriginal()
    {
        var original = TorchSharpNativeLibrary.FindPackageOriginal();
        Skip.If(original is null, TorchSharpNativeLibrary.SkipMessage);
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.so");
        File.Copy(original!, path);
        return path;
    }
}
