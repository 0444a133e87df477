"""Image intake: decoding uploaded bytes and fetching image URLs safely."""
