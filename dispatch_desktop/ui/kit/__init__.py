"""What every pane is built with: background operations, lifetimes, plain text, colours, shared widgets."""
