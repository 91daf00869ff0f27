"""HTTP controllers: parse, call one service, return a Struct."""
