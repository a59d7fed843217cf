using ArdMl.Concepts;
using Microsoft.Extensions.AI;

namespace ArdMl.Tests.Concepts;

public sealed class NamingTests
{
    // A small but realistic caption corpus (AudioCaps/WavCaps style), several clips per sound.
    private static readonly (string Clip, string Text)[] Corpus =
    [
        ("dog1", "A dog barks repeatedly while a man talks in the background"),
        ("dog2", "Dogs barking in the distance as wind blows"),
        ("dog3", "A small dog is barking and growling"),
        ("dog4", "A dog barked loudly, then a door closed."),
        ("dog5", "A large dog barks near a road with traffic"),
        ("speech1", "A man speaks while birds chirp in the background"),
        ("speech2", "A woman is speaking to a crowd"),
        ("speech3", "A man talks on the phone and laughs"),
        ("speech4", "Male speech with faint music playing"),
        ("speech5", "A man speaks and a dog barks once"),
        ("rain1", "Heavy rain falls on a roof"),
        ("rain2", "Rain pouring down with distant thunder"),
        ("rain3", "Light rain and water dripping"),
        ("car1", "A car engine revs and accelerates"),
        ("car2", "Traffic passes by on a busy road"),
        ("car3", "A vehicle engine idles then drives away"),
        ("bird1", "Birds chirping and singing in a forest"),
        ("bird2", "Several birds chirp while wind blows"),
        ("phone1", "A telephone rings several times"),
        ("phone2", "An old telephone ringing loudly"),
        ("phone3", "A phone rings and a man answers"),
        ("music1", "Music plays with drums and a guitar"),
        ("music2", "A piano melody plays softly"),
    ];

    private static CaptionCorpus CaptionCorpusOf(CaptionKind kind = CaptionKind.Captions, (string, string)[]? rows = null) =>
        CaptionCorpus.Create(CaptionTable.FromPairs(rows ?? Corpus), kind);

    private static ConceptNamingRequest Request(CaptionCorpus? corpus, params string[] clips) => new()
    {
        Latent = 42,
        TopClips = [.. clips.Select(c => new ClipTexts(c, corpus?.Table.TextsOf(c) ?? []))],
        Corpus = corpus,
    };

    [Fact]
    public void Offline_namer_finds_the_phrase_that_sets_the_captions_apart()
    {
        var corpus = CaptionCorpusOf();
        var namer = new OfflineConceptNamer();
        // "dog" and "bark" are equally frequent here (same z, same support): the ordinally smaller key "bark" wins and
        // is shown in its most frequent surface form.
        namer.Name(Request(corpus, "dog1", "dog2", "dog3", "dog4")).Name.Should().Be("barking");
        // "ring" is in three of the four captions, "telephone" and "phone" in two each.
        namer.Name(Request(corpus, "phone1", "phone2", "phone3", "speech3")).Name.Should().Be("rings");
        namer.Name(Request(corpus, "rain1", "rain2", "rain3", "car1")).Name.Should().Be("rain");
        namer.Name(Request(corpus, "bird1", "bird2", "speech1", "music1")).Name.Should().Be("birds chirp");
        var naming = namer.Name(Request(corpus, "dog1", "dog2"));
        naming.Source.Should().Be(NamingSource.CaptionPhrase);
        naming.CaptionsUsed.Should().Equal(Corpus[0].Text, Corpus[1].Text);
        naming.Failure.Should().BeNull();
    }

    [Fact]
    public void Offline_namer_prefers_a_longer_phrase_with_the_same_support()
    {
        var rows = new[]
        {
            ("a", "a church bell rings"), ("b", "church bell ringing loudly"), ("c", "the church bell rings twice"),
            ("d", "a phone rings"), ("e", "a bell on a bicycle"), ("f", "a man speaks"), ("g", "people talk"),
        };
        var corpus = CaptionCorpusOf(CaptionKind.Captions, rows);
        new OfflineConceptNamer().Name(Request(corpus, "a", "b", "c")).Name.Should().Be("church bell rings");
    }

    [Fact]
    public void Offline_namer_with_labels_picks_the_majority_and_breaks_ties_by_rarity()
    {
        var rows = new[]
        {
            ("1", "Dog"), ("1", "Animal"), ("2", "dog"), ("2", "Animal"), ("3", "Dog"), ("4", "Cat"), ("4", "Animal"),
            ("5", "Animal"), ("6", "Animal"), ("7", "Telephone"), ("8", "Speech"), ("9", "Speech"),
        };
        var corpus = CaptionCorpusOf(CaptionKind.Labels, rows);
        var namer = new OfflineConceptNamer();
        var majority = namer.Name(Request(corpus, "1", "2", "3", "4"));
        majority.Name.Should().Be("Dog");
        majority.Source.Should().Be(NamingSource.MajorityLabel);
        // Animal and Dog both on 2 clips: Dog is rarer in the corpus (3 clips vs 5), so more specific.
        namer.Name(Request(corpus, "1", "2", "7")).Name.Should().Be("Dog");
        // Telephone and Speech on one clip each, Telephone rarer.
        namer.Name(Request(corpus, "7", "8")).Name.Should().Be("Telephone");
    }

    [Fact]
    public void Without_captions_the_name_says_the_concept_is_unnamed()
    {
        var none = new OfflineConceptNamer().Name(Request(null, "x", "y"));
        none.Name.Should().Be("latent 42");
        none.Source.Should().Be(NamingSource.LatentIndex);
        var missing = new OfflineConceptNamer().Name(Request(CaptionCorpusOf(), "unknown1", "unknown2"));
        missing.Name.Should().Be("latent 42");
        missing.Failure.Should().Contain("none of the 2 H clips");
    }

    [Fact]
    public async Task Language_model_name_is_cleaned_and_validated()
    {
        var client = new ScriptedChatClient(ScriptedChatClient.Step.Says("  \"Dog Barking.\"\n"));
        var namer = new ChatClientConceptNamer(client);
        var naming = await namer.NameAsync(Request(CaptionCorpusOf(), "dog1", "dog2", "dog3", "dog4"));
        naming.Name.Should().Be("dog barking");
        naming.Source.Should().Be(NamingSource.LanguageModel);
        naming.Failure.Should().BeNull();
        naming.CaptionsUsed.Should().HaveCount(4);
        client.Requests.Should().ContainSingle();
        var prompt = client.Requests[0];
        prompt[0].Role.Should().Be(ChatRole.System);
        prompt[1].Text.Should().Contain("1. A dog barks repeatedly").And.Contain("4. A dog barked loudly");
    }

    [Fact]
    public async Task Junk_and_failures_are_retried_with_the_reason()
    {
        var client = new ScriptedChatClient(
            ScriptedChatClient.Step.Fails(new HttpRequestException("connection refused")),
            ScriptedChatClient.Step.Says("The captions all describe a dog that is barking at something in the yard"),
            ScriptedChatClient.Step.Says("**Concept:** Barking dog"));
        var naming = await new ChatClientConceptNamer(client).NameAsync(Request(CaptionCorpusOf(), "dog1", "dog2"));
        naming.Name.Should().Be("barking dog");
        naming.Source.Should().Be(NamingSource.LanguageModel);
        client.Requests.Should().HaveCount(3);
        client.Requests[2].Last().Text.Should().Contain("cannot be used as a name");
    }

    [Fact]
    public async Task After_the_last_attempt_the_offline_name_is_kept_and_the_failure_recorded()
    {
        var client = new ScriptedChatClient(
            ScriptedChatClient.Step.Says("I'm sorry, I cannot help with that."),
            ScriptedChatClient.Step.Says("### <dog>"),
            ScriptedChatClient.Step.Slow("dog", TimeSpan.FromSeconds(5)));
        var namer = new ChatClientConceptNamer(client, options: new ChatClientNamerOptions { AttemptTimeout = TimeSpan.FromMilliseconds(200) });
        var naming = await namer.NameAsync(Request(CaptionCorpusOf(), "dog1", "dog2", "dog3", "dog4"));
        naming.Name.Should().Be("barking");
        naming.Source.Should().Be(NamingSource.CaptionPhrase);
        naming.Failure.Should().Contain("after 3 attempts").And.Contain("refusal").And.Contain("character '#'").And.Contain("no reply within");
    }

    [Fact]
    public async Task No_captions_means_no_request_and_cancellation_propagates()
    {
        var client = new ScriptedChatClient();
        var naming = await new ChatClientConceptNamer(client).NameAsync(Request(null, "x"));
        naming.Name.Should().Be("latent 42");
        client.Requests.Should().BeEmpty();

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var slow = new ScriptedChatClient(ScriptedChatClient.Step.Slow("dog", TimeSpan.FromSeconds(5)));
        await new ChatClientConceptNamer(slow).Invoking(n => n.NameAsync(Request(CaptionCorpusOf(), "dog1"), cancelled.Token))
            .Should().ThrowAsync<OperationCanceledException>();
    }

    [Theory]
    [InlineData("Telephone", "telephone")]
    [InlineData("1. male speech", "male speech")]
    [InlineData("Name: 'Laughter'", "laughter")]
    [InlineData("`rain on a roof`...", "rain on a roof")]
    [InlineData("rock & roll music\nThe captions mention guitars.", "rock & roll music")]
    public void Validator_accepts_short_phrases(string reply, string expected)
    {
        ConceptNameValidator.TryClean(reply, 5, 48, out var name, out _).Should().BeTrue();
        name.Should().Be(expected);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   \n  ", "empty")]
    [InlineData("1234", "no letters")]
    [InlineData("a dog that is barking loudly outside", "words")]
    [InlineData("Sure! dog", "sentence")]
    [InlineData("dog!!! barking", "character")]
    [InlineData("As an AI model", "refusal")]
    [InlineData("dog {barking}", "character")]
    public void Validator_rejects_junk(string reply, string reason)
    {
        ConceptNameValidator.TryClean(reply, 5, 48, out _, out var why).Should().BeFalse();
        why.Should().Contain(reason);
    }
}
