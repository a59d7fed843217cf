using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

namespace ArdMl.Concepts;

/// <summary>
/// Names concepts with a language model behind <see cref="IChatClient"/> (Ollama, OpenAI-compatible servers, ...):
/// the model summarises the H clips' captions into a short phrase (the paper's describe step). The concept first gets
/// its offline name from a fallback namer; the model's reply, cleaned and checked by
/// <see cref="ConceptNameValidator"/>, replaces it. A failed request (exception or time-out) or an unusable reply is
/// retried, telling the model what was wrong, up to <see cref="ChatClientNamerOptions.MaxAttempts"/> times; after
/// that the concept keeps the fallback name and <see cref="ConceptNaming.Failure"/> records every attempt's problem.
/// Without captions the model is not asked.
/// </summary>
public sealed class ChatClientConceptNamer : IConceptNamer
{
    /// <summary>The system prompt sent with every request.</summary>
    public const string SystemPrompt =
        "You name the concepts that a sparse autoencoder found inside an audio model. You are given captions of the "
        + "audio clips that activate one concept most strongly. Reply with a short noun phrase of 1 to {0} words that "
        + "names what these clips have in common, for example: telephone ringing, male speech, laughter, dog barking. "
        + "Reply with the phrase only: no quotes, no explanation, no punctuation.";

    /// <summary>The user prompt; {0} is the numbered list of captions.</summary>
    public const string UserPrompt =
        "Captions of the clips that most activate this concept:\n{0}\nWhat do they have in common? Reply with the name only.";

    /// <summary>The message sent after an unusable reply; {0} is the reason, {1} the word limit.</summary>
    public const string RetryPrompt =
        "That reply cannot be used as a name ({0}). Reply with only a short phrase of 1 to {1} words.";

    private readonly IChatClient _client;
    private readonly IConceptNamer _fallback;
    private readonly ChatClientNamerOptions _options;

    /// <summary>Creates the namer over <paramref name="client"/>; <paramref name="fallback"/> defaults to <see cref="OfflineConceptNamer"/>.</summary>
    public ChatClientConceptNamer(IChatClient client, IConceptNamer? fallback = null, ChatClientNamerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _fallback = fallback ?? new OfflineConceptNamer();
        _options = options ?? new ChatClientNamerOptions();
        if (_options.MaxAttempts < 1 || _options.MaxWords < 1 || _options.MaxCharacters < 1 || _options.MaxCaptions < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxAttempts, MaxWords, MaxCharacters and MaxCaptions must be at least 1.");
        }

        if (_options.AttemptTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.AttemptTimeout, "AttemptTimeout must be positive.");
        }
    }

    /// <summary>The messages of the first request for <paramref name="captions"/> (exposed for documentation and tests).</summary>
    public IReadOnlyList<ChatMessage> BuildPrompt(IReadOnlyList<string> captions)
    {
        var list = new StringBuilder();
        var used = captions.Take(_options.MaxCaptions).ToList();
        for (var i = 0; i < used.Count; i++)
        {
            var caption = string.Join(' ', used[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            list.Append(CultureInfo.InvariantCulture, $"{i + 1}. {caption}\n");
        }

        return
        [
            new ChatMessage(ChatRole.System, string.Format(CultureInfo.InvariantCulture, SystemPrompt, _options.MaxWords)),
            new ChatMessage(ChatRole.User, string.Format(CultureInfo.InvariantCulture, UserPrompt, list.ToString().TrimEnd('\n'))),
        ];
    }

    /// <inheritdoc/>
    public async Task<ConceptNaming> NameAsync(ConceptNamingRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var offline = await _fallback.NameAsync(request, cancellationToken).ConfigureAwait(false);
        var captions = request.TopTexts;
        if (captions.Count == 0)
        {
            return offline;
        }

        var used = captions.Take(_options.MaxCaptions).ToList();
        var messages = BuildPrompt(captions).ToList();
        var chatOptions = new ChatOptions { Temperature = _options.Temperature, ModelId = _options.ModelId };
        var problems = new List<string>();
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            string? reply;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_options.AttemptTimeout);
                try
                {
                    var response = await _client.GetResponseAsync(messages, chatOptions, timeout.Token).ConfigureAwait(false);
                    reply = response.Text;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    problems.Add($"attempt {attempt}: no reply within {_options.AttemptTimeout.TotalSeconds:0.#} s");
                    continue;
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    problems.Add($"attempt {attempt}: {exception.GetType().Name}: {exception.Message}");
                    continue;
                }
            }

            if (ConceptNameValidator.TryClean(reply, _options.MaxWords, _options.MaxCharacters, out var name, out var reason))
            {
                return new ConceptNaming(name, NamingSource.LanguageModel, used);
            }

            problems.Add($"attempt {attempt}: {reason}");
            messages.Add(new ChatMessage(ChatRole.Assistant, reply ?? string.Empty));
            messages.Add(new ChatMessage(
                ChatRole.User, string.Format(CultureInfo.InvariantCulture, RetryPrompt, reason, _options.MaxWords)));
        }

        var failure = $"language model naming failed after {_options.MaxAttempts} attempts ({string.Join("; ", problems)}); kept the {Describe(offline.Source)} name";
        return new ConceptNaming(offline.Name, offline.Source, offline.CaptionsUsed, failure);
    }

    private static string Describe(NamingSource source) => source switch
    {
        NamingSource.CaptionPhrase => "caption-phrase",
        NamingSource.MajorityLabel => "majority-label",
        NamingSource.LanguageModel => "language-model",
        _ => "latent-index",
    };
}
