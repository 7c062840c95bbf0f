%% @doc Facts and limits of the pure Erlang reference, the counterpart of
%% the native library's `memory_stats/0', `set_memory_budget/1' and
%% `build_info/0' (the glue's `info.rs'): the reference holds no native
%% resources and allocates ordinary Erlang terms, so it records the memory
%% budget without enforcing it.
-module(tweann_ref_info).

-export([memory_stats/0, set_memory_budget/1, build_info/0]).

-define(BUDGET_KEY, {?MODULE, memory_budget}).
-define(DEFAULT_BUDGET, 1073741824).

%% @doc Live native resources: always zero, and the recorded budget.
-spec memory_stats() -> #{networks := 0, network_bytes := 0, cells := 0,
                          cell_bytes := 0, memory_budget := pos_integer()}.
memory_stats() ->
    #{networks => 0, network_bytes => 0, cells => 0, cell_bytes => 0,
      memory_budget => persistent_term:get(?BUDGET_KEY, ?DEFAULT_BUDGET)}.

%% @doc Record the memory budget (`default' restores 1 GiB) and return the
%% previous one, as the native library does.
-spec set_memory_budget(pos_integer() | default) -> pos_integer().
set_memory_budget(default) ->
    set_memory_budget(?DEFAULT_BUDGET);
set_memory_budget(Bytes) when is_integer(Bytes), Bytes > 0, Bytes < 1 bsl 64 ->
    Old = persistent_term:get(?BUDGET_KEY, ?DEFAULT_BUDGET),
    Bytes =:= Old orelse persistent_term:put(?BUDGET_KEY, Bytes),
    Old;
set_memory_budget(_) ->
    tweann_ref_args:fail(1, "the memory budget must be a positive integer below 2^64 (bytes) or default").

%% @doc Build facts: `backend => erlang', the application version, the
%% activation atoms in tag order, and no NIF version or target CPU.
-spec build_info() -> #{backend := erlang, version := string(), nif_version := none,
                        target_cpu := none, activations := [atom()]}.
build_info() ->
    Vsn = case application:get_key(tweann_nif, vsn) of
              {ok, V} -> V;
              undefined -> "0.1.0"
          end,
    #{backend => erlang, version => Vsn, nif_version => none, target_cpu => none,
      activations => tweann_ref_activation:activations()}.
