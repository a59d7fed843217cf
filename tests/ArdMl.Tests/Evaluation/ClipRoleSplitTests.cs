using ArdMl.Evaluation;

namespace ArdMl.Tests.Evaluation;

public sealed class ClipRoleSplitTests
{
    private static List<string> Clips(int speakers, int perSpeaker, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, speakers).SelectMany(s => Enumerable.Range(0, perSpeaker)
            .Select(t => $"{random.Next(10)}_speaker{(char)('a' + s)}_{t}.wav"))];
    }

    [Theory]
    [InlineData(3, 7, 1)]
    [InlineData(4, 50, 2)]
    [InlineData(6, 13, 3)]
    public void Group_folds_give_every_group_one_evaluation_turn_and_never_share_a_group_between_roles(int speakers, int perSpeaker, int seed)
    {
        var clips = Clips(speakers, perSpeaker, seed);
        var folds = new ClipRoleSplit().Folds(clips, "^\\d_(speaker[a-z])_");
        folds.Should().HaveCount(speakers);
        folds.Select(f => f.Name).Should().OnlyHaveUniqueItems();
        foreach (var fold in folds)
        {
            fold.Roles.Keys.Should().BeEquivalentTo(clips);
            var groupsByRole = Enum.GetValues<ClipRole>().ToDictionary(
                r => r, r => fold.ClipsOf(r).Select(c => c.Split('_')[1]).ToHashSet());
            groupsByRole[ClipRole.Evaluation].Should().Equal(fold.Name);
            groupsByRole[ClipRole.Calibration].Should().ContainSingle().Which.Should().NotBe(fold.Name);
            groupsByRole[ClipRole.Discovery].Should().HaveCount(speakers - 2)
                .And.NotIntersectWith(groupsByRole[ClipRole.Evaluation]).And.NotIntersectWith(groupsByRole[ClipRole.Calibration]);
        }
    }

    [Fact]
    public void A_hash_split_depends_on_the_id_only_and_follows_the_fractions()
    {
        var clips = Clips(4, 500, 4).Distinct().ToList();
        var fold = new ClipRoleSplit().Folds(clips, null).Should().ContainSingle().Subject;
        var reversed = new ClipRoleSplit().Folds([.. Enumerable.Reverse(clips)], null).Single();
        reversed.Roles.Should().Equal(fold.Roles);
        (fold.ClipsOf(ClipRole.Discovery).Count / (double)clips.Count).Should().BeApproximately(0.5, 0.05);
        (fold.ClipsOf(ClipRole.Calibration).Count / (double)clips.Count).Should().BeApproximately(0.2, 0.05);
        (fold.ClipsOf(ClipRole.Evaluation).Count / (double)clips.Count).Should().BeApproximately(0.3, 0.05);
        new ClipRoleSplit { Salt = 9 }.Folds(clips, null).Single().Roles.Should().NotEqual(fold.Roles);
    }

    [Fact]
    public void Too_few_groups_or_an_unmatched_clip_are_named_errors()
    {
        var two = () => new ClipRoleSplit().Folds(Clips(2, 10, 5), "^\\d_(speaker[a-z])_");
        two.Should().Throw<ArgumentException>().WithMessage("*finds 2 group(s)*speakera, speakerb*at least 3*");
        var unmatched = () => new ClipRoleSplit().Folds(["x.wav", .. Clips(3, 3, 6)], "^\\d_(speaker[a-z])_");
        unmatched.Should().Throw<ArgumentException>().WithMessage("*'^\\d_(speaker[a-z])_'*'x.wav'*");
    }
}
