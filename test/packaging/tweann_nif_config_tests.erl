%% The application environment is checked at start (tweann_nif_config,
%% tweann_nif_app), and the start says which backend is active.
-module(tweann_nif_config_tests).

-include_lib("eunit/include/eunit.hrl").

%% logger handler callback (start_logs_backend_test).
-export([log/2]).

%% The defaults of the .app.src pass.
app_defaults_pass_test() ->
    {ok, [{application, tweann_nif, Props}]} = file:consult(app_file()),
    ?assertEqual(ok, tweann_nif_config:check(proplists:get_value(env, Props))).

app_file() ->
    filename:join(code:lib_dir(tweann_nif, ebin), "tweann_nif.app").

good_values_test() ->
    [?assertEqual(ok, tweann_nif_config:check([KV]))
     || KV <- [{backend, nif}, {backend, erlang},
               {memory_budget, 1}, {memory_budget, 1 bsl 40}, {memory_budget, default},
               {evo_hist_cap, 1}, {evo_hist_cap, 10000},
               {sweep_fields, default}, {sweep_fields, []},
               {sweep_fields, [{agent, [{ids, 3}, {cap, 5, 0}]}, {specie, [{clear, 7}]}]},
               {store_ets_opts, []},
               {store_ets_opts, [{read_concurrency, true}, {write_concurrency, auto},
                                 {decentralized_counters, false}, compressed]}]].

%% Each bad value names its key, the value and what is allowed.
bad_values_test() ->
    Cases = [{backend, nifs, "nif or erlang"},
             {backend, "nif", "nif or erlang"},
             {memory_budget, 0, "a positive integer (bytes) or default"},
             {memory_budget, 1.5e9, "a positive integer"},
             {evo_hist_cap, 0, "a positive integer"},
             {evo_hist_cap, fifty, "a positive integer"},
             {sweep_fields, [{agents, [{ids, 3}]}], "Table is one of agent, cortex"},
             {sweep_fields, [{agent, [{ids, 2}]}], "Pos an integer > 2"},
             {sweep_fields, all, "default, or a list"},
             {store_ets_opts, [{keypos, 3}], "{read_concurrency, Bool}"},
             {store_ets_opts, [private], "compressed"},
             {store_ets_opts, read_concurrency, "a list of"}],
    [begin
         {error, {bad_config, Key, Msg} = Reason} = tweann_nif_config:check([{Key, Value}]),
         ?assertEqual(Msg, tweann_nif_config:format_error(Reason)),
         Named = lists:flatten(io_lib:format("key ~p has the value ~tw", [Key, Value])),
         ?assertNotEqual(nomatch, string:find(Msg, Named)),
         ?assertNotEqual(nomatch, string:find(Msg, Allowed))
     end || {Key, Value, Allowed} <- Cases].

unknown_key_test() ->
    {error, {bad_config, evo_hist_capp, Msg}} =
        tweann_nif_config:check([{backend, nif}, {evo_hist_capp, 50}]),
    ?assertNotEqual(nomatch, string:find(Msg, "unknown application environment key evo_hist_capp")),
    ?assertNotEqual(nomatch, string:find(Msg, "evo_hist_cap, sweep_fields")).

%% Every key documented by keys/0 is one the sources read, and back.
keys_are_the_ones_read_test() ->
    Src = filename:join(code:lib_dir(tweann_nif), "src"),
    Read = lists:usort(
             lists:append(
               [[list_to_atom(K) || [K] <- Ms]
                || F <- filelib:wildcard(filename:join(Src, "*.erl")),
                   {ok, B} <- [file:read_file(F)],
                   Ms <- [case re:run(B, "get_env\\(tweann_nif, *([a-z_]+)",
                                      [global, {capture, [1], list}]) of
                              {match, M} -> M;
                              nomatch -> []
                          end]])),
    ?assertEqual(Read, lists:sort([K || {K, _} <- tweann_nif_config:keys()])).

%% A bad value stops the start; the reason names the key. The application
%% is left as it was found.
bad_config_stops_start_test() ->
    WasRunning = lists:keymember(tweann_nif, 1, application:which_applications()),
    _ = application:stop(tweann_nif),
    _ = application:load(tweann_nif),
    ok = application:set_env(tweann_nif, evo_hist_cap, -1),
    try
        {error, {{bad_config, evo_hist_cap, Msg}, _}} = application:start(tweann_nif),
        ?assertNotEqual(nomatch, string:find(Msg, "evo_hist_cap has the value -1")),
        ?assertNotEqual(nomatch, string:find(Msg, "a positive integer"))
    after
        ok = application:set_env(tweann_nif, evo_hist_cap, 50)
    end,
    ok = application:set_env(tweann_nif, no_such_key, 1),
    try
        ?assertMatch({error, {{bad_config, no_such_key, _}, _}}, application:start(tweann_nif))
    after
        ok = application:unset_env(tweann_nif, no_such_key)
    end,
    case WasRunning of
        true -> ok = application:start(tweann_nif);
        false -> ok
    end.

%% What the start logs about the backend.
backend_report_test() ->
    {info, Ok} = tweann_nif_config:backend_report(ok, nif, #{version => "0.1.0",
                                                               target_cpu => "x86-64-v2"}),
    ?assertEqual("tweann_nif: backend nif: native library 0.1.0 loaded (built for x86-64-v2)", Ok),
    Why = {cpu_unsupported, #{message => "this host CPU lacks SSE4.2; ..."}},
    {warning, W1} = tweann_nif_config:backend_report({error, Why}, nif, #{}),
    ?assertNotEqual(nomatch, string:find(W1, "not loaded: this host CPU lacks SSE4.2")),
    ?assertNotEqual(nomatch, string:find(W1, "no backend: calls raise")),
    {warning, W2} = tweann_nif_config:backend_report({error, {load_failed, "Failed to load NIF library"}},
                                                     erlang, #{}),
    ?assertNotEqual(nomatch, string:find(W2, "erlang:load_nif/2 failed (load_failed): Failed to load")),
    ?assertNotEqual(nomatch, string:find(W2, "backend erlang: calls run on the pure Erlang reference")).

%% The start logs the backend once, through logger.
start_logs_backend_test() ->
    _ = application:stop(tweann_nif),
    Self = self(),
    Id = tweann_nif_config_tests_handler,
    ok = logger:add_handler(Id, ?MODULE, #{level => all, config => #{pid => Self}}),
    ok = logger:set_module_level(tweann_nif_app, all),
    try
        ok = application:start(tweann_nif),
        Logged = collect([]),
        Mine = [{L, T} || {L, T} <- Logged, string:find(T, "tweann_nif: ") =/= nomatch,
                          string:find(T, "backend") =/= nomatch],
        Expected = tweann_nif_config:backend_report(tweann_nif_native:load_status(),
                                                    application:get_env(tweann_nif, backend, nif),
                                                    tweann_nif:build_info()),
        ?assertEqual([Expected], Mine)
    after
        ok = logger:unset_module_level(tweann_nif_app),
        ok = logger:remove_handler(Id)
    end.

collect(Acc) ->
    receive {logged, L, T} -> collect([{L, T} | Acc])
    after 200 -> lists:reverse(Acc)
    end.

%% logger handler callback: forwards each event's text to the test.
log(#{level := L, msg := Msg}, #{config := #{pid := Pid}}) ->
    Text = case Msg of
               {report, R} -> lists:flatten(io_lib:format("~tp", [R]));
               {string, S} -> unicode:characters_to_list(S);
               {Format, Args} -> lists:flatten(io_lib:format(Format, Args))
           end,
    Pid ! {logged, L, Text},
    ok.
