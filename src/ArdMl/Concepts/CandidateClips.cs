namespace ArdMl.Concepts;

/// <summary>Which clips may enter a latent's top set H and bottom set L.</summary>
public enum CandidateClips
{
    /// <summary>
    /// Default. Only clips where the latent fires (coverage c &gt; 0) are ranked, so L holds the least representative
    /// clips among those that activate the latent at all. With sparse latents most clips have r = 0; ranking them
    /// too would fill L with the same few tie-broken silent clips for nearly every latent, which says nothing about
    /// the latent. Silent clips still count in the density and mean statistics.
    /// </summary>
    ActiveClipsOnly = 0,

    /// <summary>
    /// The paper taken literally: every clip is ranked, silent ones included (r = 0), so L usually consists of silent
    /// clips chosen by the clip-id tie-break. Sparse input is expanded to dense for this option (slower).
    /// </summary>
    AllClips = 1,
}
