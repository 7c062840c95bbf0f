%% @doc The application environment of `tweann_nif', checked when the
%% application starts.
%%
%% Every key the application reads is listed in {@link keys/0} with what it
%% allows. {@link check/1} refuses an unknown key (a misspelt key would
%% otherwise be ignored in silence) and a value that is not allowed, with a
%% message that names the key, the value given and what is allowed; the
%% application then does not start.
%%
%% <table>
%% <tr><th>key</th><th>allowed</th><th>default</th></tr>
%% <tr><td>`backend'</td><td>`nif' | `erlang'</td><td>`nif'</td></tr>
%% <tr><td>`memory_budget'</td><td>an integer in 1..2^64-1 (bytes) | `default'</td>
%%     <td>not set: the library's own default</td></tr>
%% <tr><td>`evo_hist_cap'</td><td>a positive integer</td><td>`50'</td></tr>
%% <tr><td>`sweep_fields'</td><td>`default' | `[{Table, [Action]}]'</td>
%%     <td>`default'</td></tr>
%% <tr><td>`store_ets_opts'</td><td>a list of `{read_concurrency, boolean()}',
%%     `{write_concurrency, boolean() | auto}',
%%     `{decentralized_counters, boolean()}', `compressed'</td><td>`[]'</td></tr>
%% </table>
%%
%% It also tells which backend is active and, when the native library did
%% not load, why ({@link backend_report/3}); the application logs that once
%% when it starts.
-module(tweann_nif_config).

-export([check/1, keys/0, format_error/1, backend_report/3]).

-export_type([key/0]).

-type key() :: backend | memory_budget | evo_hist_cap | sweep_fields | store_ets_opts.
%% A key of the application environment (the table above).

%% @doc The keys the application reads, each with a sentence saying what it
%% allows.
-spec keys() -> [{key(), string()}].
keys() ->
    [{backend, "nif or erlang"},
     {memory_budget, "a positive integer (bytes) or default, the integer below 2^64"},
     {evo_hist_cap, "a positive integer"},
     {sweep_fields, "default, or a list of {Table, [Action]} where Table is one of "
                    ++ tables() ++ " and Action is {ids, Pos}, {clear, Pos} or "
                    "{cap, Pos, N} with Pos an integer > 2 and N an integer >= 0"},
     {store_ets_opts, "a list of {read_concurrency, Bool}, {write_concurrency, Bool | auto}, "
                      "{decentralized_counters, Bool} and compressed"}].

%% @doc `ok' if every key of `Env' (as from `application:get_all_env/1') is
%% known and has an allowed value; else the first problem, as
%% `{error, {bad_config, Key, Message}}'.
-spec check([{atom(), term()}]) -> ok | {error, {bad_config, atom(), string()}}.
check(Env) ->
    Keys = keys(),
    Problems = [problem(Key, Value, Keys) || {Key, Value} <- Env],
    case [P || {error, _} = P <- Problems] of
        [] -> ok;
        [First | _] -> First
    end.

problem(Key, Value, Keys) ->
    case lists:keyfind(Key, 1, Keys) of
        false ->
            {error, {bad_config, Key,
                     lists:flatten(io_lib:format(
                       "tweann_nif: unknown application environment key ~tp (value ~tW); "
                       "the keys are ~ts",
                       [Key, Value, 10, lists:join(", ", [atom_to_list(K) || {K, _} <- Keys])]))}};
        {Key, Allowed} ->
            case valid(Key, Value) of
                true -> ok;
                false ->
                    {error, {bad_config, Key,
                             lists:flatten(io_lib:format(
                               "tweann_nif: application environment key ~tp has the value ~tW; "
                               "it must be ~ts", [Key, Value, 10, Allowed]))}}
            end
    end.

-spec valid(key(), term()) -> boolean().
valid(backend, V) -> V =:= nif orelse V =:= erlang;
valid(memory_budget, V) -> V =:= default orelse (is_integer(V) andalso V > 0 andalso V < 1 bsl 64);
valid(evo_hist_cap, V) -> is_integer(V) andalso V > 0;
valid(sweep_fields, V) -> V =:= default orelse tweann_store_sweep:valid_fields(V);
valid(store_ets_opts, V) -> is_list(V) andalso lists:all(fun ets_opt/1, V).

%% Options that tune a table; the store sets the type, access, name, key
%% position and heir itself.
ets_opt({read_concurrency, B}) -> is_boolean(B);
ets_opt({write_concurrency, B}) -> is_boolean(B) orelse B =:= auto;
ets_opt({decentralized_counters, B}) -> is_boolean(B);
ets_opt(compressed) -> true;
ets_opt(_) -> false.

tables() ->
    lists:flatten(lists:join(", ", [atom_to_list(T) || T <- tweann_store_tables:record_tags()])).

%% @doc The message of a {@link check/1} error.
-spec format_error({bad_config, atom(), string()} | term()) -> string().
format_error({bad_config, _Key, Message}) -> Message;
format_error(Other) -> lists:flatten(io_lib:format("~tp", [Other])).

%% @doc What to log about the backend when the application starts, given
%% the native library's load status (`ok' or `{error, Why}'), the
%% configured backend and `tweann_nif:build_info()': `{info, Text}' when
%% the library is loaded, `{warning, Text}' with the reason when it is not.
-spec backend_report(ok | {error, term()}, nif | erlang, map()) -> {info | warning, string()}.
backend_report(ok, _Backend, Info) ->
    {info, lists:flatten(io_lib:format("tweann_nif: backend nif: native library ~ts loaded (built for ~ts)",
                                       [to_text(maps:get(version, Info, unknown)),
                                        to_text(maps:get(target_cpu, Info, unknown))]))};
backend_report({error, Why}, Backend, _Info) ->
    Active = case Backend of
                 erlang ->
                     "backend erlang: calls run on the pure Erlang reference (tweann_ref_*)";
                 _ ->
                     "no backend: calls raise {tweann_nif_not_loaded, Why}; set "
                     "{tweann_nif, [{backend, erlang}]} to run on the pure Erlang reference"
             end,
    {warning, lists:flatten(io_lib:format("tweann_nif: the native library is not loaded: ~ts; ~ts",
                                          [tweann_nif_loader:format_error(Why), Active]))}.

to_text(V) when is_list(V); is_binary(V) -> V;
to_text(V) -> io_lib:format("~tp", [V]).
